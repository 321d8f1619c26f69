import type { ImageLayout } from '../../src/annotators/annotator.js';
import type { ImageSize } from '../../src/annotators/cost/estimate-request-cost.js';
import { gridLayout } from '../../src/annotators/llm/grid-layout.js';

/**
 * The requests a built-in strategy makes for one clip of crops, as image sizes per request: a
 * shortcut for the cost bench, which prices many settings from one extraction. The bench checks
 * it against the real dry run (`estimateRun`), which runs the strategies themselves.
 */
export function planRequests(strategy: string, crops: readonly ImageSize[], maxImagesPerRequest: number): Array<{ images: ImageSize[]; layout: ImageLayout }> {
  const asGrid = () => {
    if (crops.length <= 1) return [{ images: [...crops], layout: { kind: 'frames' } as const }];
    const grid = gridLayout(crops.length);
    return [{ images: [{ width: grid.width, height: grid.height }], layout: { kind: 'grid', columns: grid.columns, rows: grid.rows, frameCount: crops.length } as const }];
  };
  if (strategy === 'grid') return asGrid();
  if (strategy === 'multi') return crops.length > maxImagesPerRequest ? asGrid() : [{ images: [...crops], layout: { kind: 'frames' } }];
  return crops.map((crop) => ({ images: [crop], layout: { kind: 'frames' } }));
}
