import sharp from 'sharp';
import { DEFAULT_GRID_CELL_SIZE, type GridLayout, gridLayout } from '../annotators/llm/grid-layout.js';
import type { RgbImage } from '../media/rgb-image.js';

/** Digits 0-9 as 3x5 pixel bitmaps, row by row: drawn without fonts, so grids look the same everywhere. */
const DIGITS: readonly string[] = [
  '111101101101111', '010110010010111', '111001111100111', '111001111001111', '101101111001001',
  '111100111001111', '111100111101111', '111001001001001', '111101111101111', '111101111001111',
];

const BACKGROUND = 48;

function fillRectangle(canvas: RgbImage, x: number, y: number, width: number, height: number, value: number): void {
  for (let row = Math.max(0, y); row < Math.min(canvas.height, y + height); row += 1) {
    const start = (row * canvas.width + Math.max(0, x)) * 3;
    const end = (row * canvas.width + Math.min(canvas.width, x + width)) * 3;
    canvas.data.fill(value, start, end);
  }
}

/** Draws `number` in white on a black box at (x, y); each bitmap pixel is `scale` px. */
export function drawIndexLabel(canvas: RgbImage, number: number, x: number, y: number, scale: number): void {
  const digits = String(number).split('').map(Number);
  const padding = scale;
  const width = digits.length * 4 * scale - scale + 2 * padding;
  fillRectangle(canvas, x, y, width, 5 * scale + 2 * padding, 0);
  for (const [position, digit] of digits.entries()) {
    const bitmap = DIGITS[digit] ?? '';
    for (let bit = 0; bit < 15; bit += 1) {
      if (bitmap[bit] !== '1') continue;
      fillRectangle(canvas, x + padding + position * 4 * scale + (bit % 3) * scale, y + padding + Math.floor(bit / 3) * scale, scale, scale, 255);
    }
  }
}

async function fitCell(image: RgbImage, cellSize: number, padding: number): Promise<RgbImage> {
  const inner = cellSize - 2 * padding;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize({ width: inner, height: inner, fit: 'contain', background: { r: BACKGROUND, g: BACKGROUND, b: BACKGROUND } })
    .extend({ top: padding, bottom: padding, left: padding, right: padding, background: { r: BACKGROUND, g: BACKGROUND, b: BACKGROUND } })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Tiles frames (face crops) into one image, in order left to right and top to bottom, each scaled to
 * fit its cell and numbered from 1 in its top-left corner, for models that take one image per request.
 * Draw it at the size it is sent (`gridCellSize` of grid-layout.ts), so neither faces nor digits shrink after.
 * @example const { image, layout } = await tileFramesGrid(crops); // 8 crops → a 3x3 grid, 768x768 px
 * @example await tileFramesGrid(crops, gridCellSize(crops.length, 512)); // 8 crops → 510x510 px
 */
export async function tileFramesGrid(frames: readonly RgbImage[], cellSize = DEFAULT_GRID_CELL_SIZE): Promise<{ image: RgbImage; layout: GridLayout }> {
  const layout = gridLayout(frames.length, cellSize);
  const canvas: RgbImage = { data: Buffer.alloc(layout.width * layout.height * 3, BACKGROUND), width: layout.width, height: layout.height };
  const padding = Math.max(2, Math.round(cellSize / 64));
  // A bitmap pixel of at least 4 px keeps digits 20 px tall, legible to a model, in small cells.
  const scale = Math.max(4, Math.floor(cellSize / 40));
  for (const [index, frame] of frames.entries()) {
    const cell = await fitCell(frame, cellSize, padding);
    const left = (index % layout.columns) * cellSize;
    const top = Math.floor(index / layout.columns) * cellSize;
    for (let row = 0; row < cell.height; row += 1) {
      cell.data.copy(canvas.data, ((top + row) * layout.width + left) * 3, row * cell.width * 3, (row + 1) * cell.width * 3);
    }
    drawIndexLabel(canvas, index + 1, left + padding, top + padding, scale);
  }
  return { image: canvas, layout };
}
