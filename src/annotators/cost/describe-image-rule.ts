import type { ImageTokenRule } from './price-table-schema.js';

const count = (value: number) => value.toLocaleString('en-US');

/**
 * A model's image rule in a few words, for listings (`emolabel models`).
 * @example describeImageRule({ rule: 'patches', patchSize: 32, maxPatches: 1536, multiplier: 1.2 }) // 'patches 32 px × 1.2, max 1536'
 */
export function describeImageRule(rule: ImageTokenRule | undefined): string {
  if (rule === undefined) return 'unknown';
  switch (rule.rule) {
    case 'openai-tiles':
      return `tiles 512 px: ${count(rule.baseTokens)} + ${count(rule.tileTokens)} a tile; low ${count(rule.baseTokens)}`;
    case 'patches':
      return `patches ${rule.patchSize} px × ${rule.multiplier}, max ${rule.maxPatches}`;
    case 'anthropic-pixels':
      return `pixels w×h/${rule.pixelsPerToken}, fit ${rule.maxLongSide} px / ${(rule.maxPixels / 1e6).toFixed(2)} MP`;
    case 'gemini-tiles':
      return `${count(rule.tokensPerTile)} a ${rule.tileSize} px tile (${count(rule.tokensPerTile)} within ${rule.smallSide} px)` +
        `${rule.lowDetailTokens === undefined ? '' : `; low ${count(rule.lowDetailTokens)}`}${rule.highDetailTokens === undefined ? '' : `, high ${count(rule.highDetailTokens)}`}`;
    case 'media-resolution':
      return `per image: low ${count(rule.lowTokens)}, medium ${count(rule.mediumTokens)}, high ${count(rule.highTokens)}; unset ${count(rule.unsetTokens)}`;
    case 'flat':
      return `flat ${count(rule.tokens)} an image (a guess)`;
  }
}
