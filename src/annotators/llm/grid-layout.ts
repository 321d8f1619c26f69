/** How frames are tiled into one grid image: cells of `cellSize` px, filled left to right, top to bottom. */
export interface GridLayout {
  readonly columns: number;
  readonly rows: number;
  readonly cellSize: number;
  /** Size of the whole grid image, in pixels. */
  readonly width: number;
  readonly height: number;
}

/** Side of one grid cell when the annotator names no image size; 2x2 frames make a 512 px image, 3x3 a 768 px one. */
export const DEFAULT_GRID_CELL_SIZE = 256;

/** The smallest cell drawn, whatever the image size: below it a face is a few pixels. */
export const MIN_GRID_CELL_SIZE = 32;

/**
 * The most square grid that holds `frameCount` frames (columns before rows): 4 → 2x2, 6 → 3x2, 8 → 3x3.
 * @example gridLayout(8) // { columns: 3, rows: 3, cellSize: 256, width: 768, height: 768 }
 */
export function gridLayout(frameCount: number, cellSize = DEFAULT_GRID_CELL_SIZE): GridLayout {
  const columns = Math.max(1, Math.ceil(Math.sqrt(frameCount)));
  const rows = Math.max(1, Math.ceil(frameCount / columns));
  return { columns, rows, cellSize, width: columns * cellSize, height: rows * cellSize };
}

/**
 * The cell size that makes a grid of `frameCount` frames fit `maxImageSide` (the size the
 * annotator sends images at), so the grid is drawn at the size it is sent and nothing in it is
 * scaled down afterwards; {@link DEFAULT_GRID_CELL_SIZE} when no size is given.
 * @example gridCellSize(8, 512) // 170: a 3x3 grid of 510x510 px
 */
export function gridCellSize(frameCount: number, maxImageSide?: number): number {
  if (maxImageSide === undefined) return DEFAULT_GRID_CELL_SIZE;
  const { columns, rows } = gridLayout(frameCount, 1);
  return Math.max(MIN_GRID_CELL_SIZE, Math.floor(maxImageSide / Math.max(columns, rows)));
}
