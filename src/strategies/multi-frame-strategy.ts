import { annotatorId } from '../annotators/annotator.js';
import { gridCellSize, gridLayout } from '../annotators/llm/grid-layout.js';
import { imageContentOf } from './combine-annotations.js';
import { annotateAsGrid, clipFromAnnotation } from './grid-strategy.js';
import type { ClipAnnotation, Strategy, StrategyInput } from './strategy.js';

/**
 * `multi`: all sampled frames of the clip in one request, in order and numbered; the clip label is
 * the answer's, and with prompts `@v2` the same answer labels each frame too (`frameLabels`). An
 * annotator that takes fewer images per request than the clip has gets them as one numbered grid,
 * with a warning.
 */
export const multiFrameStrategy: Strategy = {
  specificationVersion: 'v1',
  worker: { module: import.meta.url, exportName: 'multiFrameStrategy' },
  name: 'multi',
  description: 'all sampled frames in one request, ordered and numbered (a grid for one-image models)',
  async annotateClip(input: StrategyInput): Promise<ClipAnnotation> {
    const { annotator } = input;
    const frames = input.crops.map((crop) => crop.image);
    if (frames.length > annotator.capabilities.maxImagesPerRequest) {
      const layout = gridLayout(frames.length, gridCellSize(frames.length, annotator.capabilities.maxImageSide));
      const plural = annotator.capabilities.maxImagesPerRequest === 1 ? 'image' : 'images';
      return annotateAsGrid(input, [
        `${annotatorId(annotator)} takes ${annotator.capabilities.maxImagesPerRequest} ${plural} per request; sent the ${frames.length} frames as one ${layout.columns}x${layout.rows} grid`,
      ]);
    }
    const annotation = await annotator.annotate({
      images: frames, taxonomy: input.taxonomy, signal: input.signal, layout: { kind: 'frames' }, ...imageContentOf(input.crops),
    });
    return clipFromAnnotation(annotation, [], frames.length);
  },
};
