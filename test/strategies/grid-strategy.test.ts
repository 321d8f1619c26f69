import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Annotation } from '../../src/annotators/annotator.js';
import type { FaceCrop } from '../../src/faces/find-faces.js';
import type { RgbImage } from '../../src/media/rgb-image.js';
import { gridStrategy } from '../../src/strategies/grid-strategy.js';
import { getStrategy } from '../../src/strategies/strategy-registry.js';
import { DEFAULT_GRID_CELL_SIZE, gridCellSize } from '../../src/annotators/llm/grid-layout.js';
import { tileFramesGrid } from '../../src/strategies/tile-frames-grid.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { MockAnnotator } from '../support/mock-annotator.js';
import { realCrops } from './grid-and-multi-faces.js';

const ok: Annotation = { status: 'ok', label: 'Happy', confidence: 0.8, usage: { inputTokens: 3000, outputTokens: 60 }, costUsd: 0.0005, promptVersion: 'direct@v1' };

/** Mean RGB of a rectangle. */
function meanColour(image: RgbImage, x: number, y: number, width: number, height: number): number[] {
  const sums = [0, 0, 0];
  for (let row = y; row < y + height; row += 1) {
    for (let column = x; column < x + width; column += 1) for (let channel = 0; channel < 3; channel += 1) sums[channel]! += image.data[(row * image.width + column) * 3 + channel]!;
  }
  return sums.map((sum) => sum / (width * height));
}

async function resized(image: RgbImage, side: number): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize({ width: side, height: side, fit: 'contain', background: { r: 48, g: 48, b: 48 } }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const DIGIT_BITS = ['111101101101111', '010110010010111', '111001111100111', '111001111001111', '101101111001001', '111100111001111', '111100111101111', '111001001001001', '111101111101111', '111101111001111'];

describe('tileFramesGrid on real face crops', () => {
  let crops: FaceCrop[] = [];
  beforeAll(async () => {
    crops = await realCrops(8);
  });

  it('tiles 8 frames into a 3x3 grid of 256 px cells, in order, each frame in its own cell', async () => {
    const { image, layout } = await tileFramesGrid(crops.map((crop) => crop.image));
    expect(layout).toEqual({ columns: 3, rows: 3, cellSize: 256, width: 768, height: 768 });
    expect(image).toMatchObject({ width: 768, height: 768 });
    for (const [index, crop] of crops.entries()) {
      // The bottom half of each cell (below the number) holds the bottom half of its frame.
      const expected = await resized(crop.image, 248);
      const left = (index % 3) * 256 + 4;
      const top = Math.floor(index / 3) * 256 + 4;
      const cell = meanColour(image, left, top + 124, 248, 124);
      const source = meanColour(expected, 0, 124, 248, 124);
      for (let channel = 0; channel < 3; channel += 1) expect(Math.abs(cell[channel]! - source[channel]!)).toBeLessThan(3);
    }
    // The ninth cell is empty background.
    expect(meanColour(image, 512, 512, 256, 256)).toEqual([48, 48, 48]);
  });

  it('numbers each cell from 1 in its top-left corner, white on black', async () => {
    const { image } = await tileFramesGrid(crops.map((crop) => crop.image));
    const scale = 6;
    for (let index = 0; index < crops.length; index += 1) {
      const left = (index % 3) * 256 + 4;
      const top = Math.floor(index / 3) * 256 + 4;
      const box = { width: 3 * scale + 2 * scale, height: 5 * scale + 2 * scale };
      let white = 0;
      let black = 0;
      for (let row = top; row < top + box.height; row += 1) {
        for (let column = left; column < left + box.width; column += 1) {
          const offset = (row * image.width + column) * 3;
          const pixel = [image.data[offset], image.data[offset + 1], image.data[offset + 2]];
          if (pixel.every((value) => value === 255)) white += 1;
          else if (pixel.every((value) => value === 0)) black += 1;
        }
      }
      const lit = [...DIGIT_BITS[index + 1]!].filter((bit) => bit === '1').length;
      expect(white).toBe(lit * scale * scale);
      expect(white + black).toBe(box.width * box.height);
    }
  });
});

describe('tileFramesGrid at the size it is sent', () => {
  it('fits 8 real faces in 512 px as 170 px cells, with digits 20 px tall', async () => {
    const crops = await realCrops(8);
    expect(gridCellSize(8, 512)).toBe(170);
    expect(gridCellSize(4, 512)).toBe(256);
    expect(gridCellSize(8)).toBe(DEFAULT_GRID_CELL_SIZE);
    const { image, layout } = await tileFramesGrid(crops.map((crop) => crop.image), gridCellSize(8, 512));
    expect(layout).toEqual({ columns: 3, rows: 3, cellSize: 170, width: 510, height: 510 });
    expect(image).toMatchObject({ width: 510, height: 510 });
    // The digit of cell 8 (third row, second column): a 3x5 bitmap of 4 px squares, white on black.
    const padding = 3;
    const left = 170 + padding + 4;
    const top = 2 * 170 + padding + 4;
    const lit: number[] = [];
    for (let bit = 0; bit < 15; bit += 1) {
      const offset = ((top + Math.floor(bit / 3) * 4 + 1) * image.width + left + (bit % 3) * 4 + 1) * 3;
      lit.push(image.data[offset] === 255 ? 1 : 0);
    }
    expect(lit.join('')).toBe(DIGIT_BITS[8]);
  });
});

describe('grid strategy', () => {
  it('is registered, and sends the clip as one numbered grid image with its layout', async () => {
    expect(getStrategy('grid')).toBe(gridStrategy);
    const crops = await realCrops(6);
    const annotator = new MockAnnotator([ok]);
    const clip = await gridStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    expect(annotator.calls).toHaveLength(1);
    const [call] = annotator.calls;
    expect(call?.images).toHaveLength(1);
    expect(call?.images[0]).toMatchObject({ width: 768, height: 512 });
    expect(call?.layout).toMatchObject({ kind: 'grid', columns: 3, rows: 2, frameCount: 6 });
    expect(call?.layout?.kind === 'grid' && call.layout.frames).toEqual(crops.map((crop) => crop.image));
    expect(clip).toMatchObject({ status: 'ok', label: 'Happy', confidence: 0.8, frameLabels: [], usage: { inputTokens: 3000, outputTokens: 60 }, costUsd: 0.0005, promptVersion: 'direct@v1' });
  });

  it('draws the grid at the annotator\'s image size and reads each frame\'s label from the answer', async () => {
    const crops = await realCrops(6);
    const perFrame: Annotation = { ...ok, perFrameLabels: [1, 2, 3, 4, 5, 6].map((index) => ({ index, label: index < 4 ? 'Neutral' : 'Happy' })) };
    const annotator = new MockAnnotator([perFrame], 'vision', 1, { maxImageSide: 512 });
    const clip = await gridStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    expect(annotator.calls[0]?.images[0]).toMatchObject({ width: 510, height: 340 });
    expect(clip.frameLabels).toEqual(['Neutral', 'Neutral', 'Neutral', 'Happy', 'Happy', 'Happy']);
  });

  it('sends a single crop as it is, without a grid', async () => {
    const crops = await realCrops(1);
    const annotator = new MockAnnotator([ok]);
    await gridStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    expect(annotator.calls[0]?.images[0]).toBe(crops[0]?.image);
    expect(annotator.calls[0]?.layout).toBeUndefined();
  });

  it('passes a refusal through as the clip status, with the words', async () => {
    const crops = await realCrops(4);
    const refused: Annotation = { status: 'refused', rawText: 'I cannot help with that.', usage: { inputTokens: 900, outputTokens: 8 }, costUsd: 0.0002 };
    const clip = await gridStrategy.annotateClip({ crops, annotator: new MockAnnotator([refused]), taxonomy: basic7 });
    expect(clip).toMatchObject({ status: 'refused', rawText: 'I cannot help with that.', usage: { inputTokens: 900, outputTokens: 8 } });
    expect(clip.label).toBeUndefined();
  });
});
