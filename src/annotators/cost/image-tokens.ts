import type { ImageTokenRule } from './price-table-schema.js';

/** OpenAI's `detail`; other providers' resolution settings map onto it. */
export type ImageDetail = 'low' | 'high' | 'auto';

/** Width and height after shrinking (never enlarging) to fit `maxWidth` x `maxHeight`, aspect kept. */
export function fitInside(width: number, height: number, maxWidth: number, maxHeight = maxWidth): { width: number; height: number } {
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function openAiTiles(rule: Extract<ImageTokenRule, { rule: 'openai-tiles' }>, width: number, height: number, detail: ImageDetail): number {
  // `auto` lets the model choose; count it as high, the dearer case, so estimates do not fall short.
  if (detail === 'low') return rule.baseTokens;
  let size = fitInside(width, height, 2048);
  const shortSide = Math.min(size.width, size.height);
  if (shortSide > 768) size = { width: Math.round((size.width * 768) / shortSide), height: Math.round((size.height * 768) / shortSide) };
  const tiles = Math.ceil(size.width / 512) * Math.ceil(size.height / 512);
  return rule.baseTokens + rule.tileTokens * tiles;
}

function patches(rule: Extract<ImageTokenRule, { rule: 'patches' }>, width: number, height: number): number {
  const count = (w: number, h: number) => Math.ceil(w / rule.patchSize) * Math.ceil(h / rule.patchSize);
  let total = count(width, height);
  if (total > rule.maxPatches) {
    // Shrink so the patches fit the cap, then snap to whole patches (OpenAI's documented steps).
    const shrink = Math.sqrt((rule.maxPatches * rule.patchSize * rule.patchSize) / (width * height));
    const across = (width * shrink) / rule.patchSize;
    const down = (height * shrink) / rule.patchSize;
    const snapped = shrink * Math.min(Math.floor(across) / across, Math.floor(down) / down);
    total = Math.min(rule.maxPatches, count(width * snapped, height * snapped));
  }
  return Math.ceil(total * rule.multiplier);
}

function anthropicPixels(rule: Extract<ImageTokenRule, { rule: 'anthropic-pixels' }>, width: number, height: number): number {
  let size = fitInside(width, height, rule.maxLongSide);
  const pixels = size.width * size.height;
  if (pixels > rule.maxPixels) {
    const shrink = Math.sqrt(rule.maxPixels / pixels);
    size = { width: Math.floor(size.width * shrink), height: Math.floor(size.height * shrink) };
  }
  return Math.ceil((size.width * size.height) / rule.pixelsPerToken);
}

function geminiTiles(rule: Extract<ImageTokenRule, { rule: 'gemini-tiles' }>, width: number, height: number, detail: ImageDetail): number {
  if (detail === 'low' && rule.lowDetailTokens !== undefined) return rule.lowDetailTokens;
  if (detail === 'high' && rule.highDetailTokens !== undefined) return rule.highDetailTokens;
  if (width <= rule.smallSide && height <= rule.smallSide) return rule.tokensPerTile;
  return Math.ceil(width / rule.tileSize) * Math.ceil(height / rule.tileSize) * rule.tokensPerTile;
}

function mediaResolution(rule: Extract<ImageTokenRule, { rule: 'media-resolution' }>, detail: ImageDetail): number {
  // Detail maps to Gemini's mediaResolution: low LOW, high HIGH, auto sends none (the model's default).
  return detail === 'low' ? rule.lowTokens : detail === 'high' ? rule.highTokens : rule.unsetTokens;
}

/**
 * Input tokens one image of `width` x `height` pixels (as sent) costs under a model's rule.
 * @example imageTokens({ rule: 'openai-tiles', baseTokens: 85, tileTokens: 170 }, 1024, 1024, 'high') // 765
 */
export function imageTokens(rule: ImageTokenRule, width: number, height: number, detail: ImageDetail = 'auto'): number {
  switch (rule.rule) {
    case 'openai-tiles':
      return openAiTiles(rule, width, height, detail);
    case 'patches':
      return patches(rule, width, height);
    case 'anthropic-pixels':
      return anthropicPixels(rule, width, height);
    case 'gemini-tiles':
      return geminiTiles(rule, width, height, detail);
    case 'media-resolution':
      return mediaResolution(rule, detail);
    case 'flat':
      return rule.tokens;
  }
}
