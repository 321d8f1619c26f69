/**
 * A count with its noun, singular for one: `1 item`, `2 items`, `0 items`.
 * @example counted(1, 'item') // '1 item'; counted(3, 'entry', 'entries') // '3 entries'
 */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
