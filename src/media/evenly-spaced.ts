/**
 * Picks `count` evenly spaced indices out of `total`, each at the middle of its segment, so that
 * 8 of 16 frames gives 1, 3, 5 … 15 and 1 of 10 gives 5. Returns every index when `total <= count`.
 * @example evenlySpacedIndices(16, 4) // [2, 6, 10, 14]
 */
export function evenlySpacedIndices(total: number, count: number): number[] {
  if (total <= 0 || count <= 0) return [];
  if (total <= count) return Array.from({ length: total }, (_, index) => index);
  return Array.from({ length: count }, (_, index) => Math.floor(((index + 0.5) * total) / count));
}

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Sorts names the way people number frames: `2.jpg` before `10.jpg`. */
export function sortNatural(names: readonly string[]): string[] {
  return [...names].sort(naturalOrder.compare);
}
