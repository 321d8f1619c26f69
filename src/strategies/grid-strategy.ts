import type { Annotation } from '../annotators/annotator.js';
import { collectWarnings, failedClip, sumUsage } from './combine-annotations.js';
import type { ClipAnnotation, Strategy, StrategyInput } from './strategy.js';
import { tileFramesGrid } from './tile-frames-grid.js';

/** A clip's verdict from the one request that saw all its frames. */
export function clipFromAnnotation(annotation: Annotation, extraWarnings: readonly string[]): ClipAnnotation {
  const annotations = [annotation];
  const warnings = collectWarnings(annotations, extraWarnings);
  if (annotation.status !== 'ok' || annotation.label === undefined) return failedClip(annotations, { frameLabels: [], warnings });
  return {
    status: 'ok',
    label: annotation.label,
    confidence: annotation.confidence,
    distribution: annotation.distribution,
    frameLabels: [],
    annotations,
    ...sumUsage(annotations),
    rationale: annotation.rationale,
    warnings,
    promptVersion: annotation.promptVersion,
  };
}

/** Tiles the clip's crops into one numbered grid and asks for one label (a single crop goes as it is). */
export async function annotateAsGrid(input: StrategyInput, extraWarnings: readonly string[] = []): Promise<ClipAnnotation> {
  const frames = input.crops.map((crop) => crop.image);
  if (frames.length <= 1) {
    return clipFromAnnotation(await input.annotator.annotate({ images: frames, taxonomy: input.taxonomy, signal: input.signal }), extraWarnings);
  }
  const { image, layout } = await tileFramesGrid(frames);
  const annotation = await input.annotator.annotate({
    images: [image],
    taxonomy: input.taxonomy,
    signal: input.signal,
    layout: { kind: 'grid', columns: layout.columns, rows: layout.rows, frameCount: frames.length, frames },
  });
  return clipFromAnnotation(annotation, extraWarnings);
}

/** `grid`: the clip's frames tiled into one image with index labels, one request. */
export const gridStrategy: Strategy = {
  specificationVersion: 'v1',
  worker: { module: import.meta.url, exportName: 'gridStrategy' },
  name: 'grid',
  description: 'frames tiled into one numbered grid image; one request per clip',
  annotateClip: (input) => annotateAsGrid(input),
};
