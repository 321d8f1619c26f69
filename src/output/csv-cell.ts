/** First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A CSV cell that a spreadsheet shows as text: a string starting with `=`, `+`, `-`, `@`, a tab or
 * a carriage return (a file name, an LLM's rationale) gets a leading `'`, as OWASP advises; numbers
 * and other strings are kept. Only for CSV: JSON and JSONL keep values as they are.
 * @example csvCell('=HYPERLINK("http://evil")') // `'=HYPERLINK("http://evil")`
 */
export function csvCell<T extends string | number>(value: T): T | string {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

/** Every cell of a CSV row through {@link csvCell}. */
export function csvSafeRow<T extends Record<string, string | number>>(row: T): Record<keyof T, string | number> {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, csvCell(value)])) as Record<keyof T, string | number>;
}

