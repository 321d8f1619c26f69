/** Longest piece of a request that an error message repeats. */
const MAX_QUOTED_CHARS = 80;

/**
 * A value from a request, quoted for an error message and cut to {@link MAX_QUOTED_CHARS}
 * characters, so a 20 MB item id is not sent back.
 * @example quoteInput('a'.repeat(1000)) // '"aaaa…" (1000 characters)'
 */
export function quoteInput(value: string): string {
  if (value.length <= MAX_QUOTED_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, MAX_QUOTED_CHARS))}… (${value.length} characters)`;
}
