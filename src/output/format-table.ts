import type { ClipResult } from '../pipeline/clip-result.js';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** A plain-text table of results for the terminal: id, label, confidence, status and frame labels or error. */
export function formatResultsTable(results: readonly ClipResult[]): string {
  const rows = results.map((result) => [
    result.faceIndex > 0 ? `${result.id}#${result.faceIndex}` : result.id,
    result.label ?? '-',
    result.confidence === undefined ? '-' : result.confidence.toFixed(2),
    result.status,
    result.error ?? (result.abstain !== undefined ? `abstained: ${result.abstain}` : undefined) ?? (result.frameLabels.length > 1 ? result.frameLabels.map((label) => label ?? '-').join(' ') : ''),
  ]);
  const header = ['id', 'label', 'conf', 'status', 'frames / error'];
  const widths = header.map((title, column) => Math.min(48, Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length))));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : pad(cell, widths[column] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
