import type { Annotation } from '../annotators/annotator.js';
import { gridCellSize } from '../annotators/llm/grid-layout.js';
import { collectWarnings, failedClip, imageContentOf, sumUsage } from './combine-annotations.js';
import type { ClipAnnotation, Strategy, StrategyInput } from './strategy.js';
import { tileFramesGrid } from './tile-frames-grid.js';

/** Frame labels in frame order from an answer's per-frame labels (1-based indexes); empty when it gave none. */
function frameLabelsOf(annotation: Annotation, frameCount: number): Array<string | undefined> {
  const given = annotation.perFrameLabels;
  if (given === undefined || given.length === 0 || frameCount <= 1) return [];
  return Array.from({ length: frameCount }, (_, position) => given.find((frame) => frame.index === position + 1)?.label);
}

/**
 * A clip's verdict from the one request that saw all its `frameCount` frames: its label, and the
 * label of each frame when the answer gave them (prompts `@v2`).
 */
export function clipFromAnnotation(annotation: Annotation, extraWarnings: readonly string[], frameCount = 0): ClipAnnotation {
  const annotations = [annotation];
  const warnings = collectWarnings(annotations, extraWarnings);
  if (annotation.status !== 'ok' || annotation.label === undefined) return failedClip(annotations, { frameLabels: [], warnings });
  return {
    status: 'ok',
    label: annotation.label,
    confidence: annotation.confidence,
    distribution: annotation.distribution,
    frameLabels: frameLabelsOf(annotation, frameCount),
    annotations,
    ...sumUsage(annotations),
    rationale: annotation.rationale,
    ...(annotation.peakFrame === undefined ? {} : { peakFrame: annotation.peakFrame }),
    ...(annotation.hintFollowed === undefined ? {} : { hintFollowed: annotation.hintFollowed }),
    warnings,
    promptVersion: annotation.promptVersion,
  };
}

/**
 * Tiles the clip's crops into one numbered grid and asks for one label (a single crop goes as it
 * is). The grid is drawn at the annotator's `maxImageSide` when it has one, so it is sent unscaled.
 */
export async function annotateAsGrid(input: StrategyInput, extraWarnings: readonly string[] = []): Promise<ClipAnnotation> {
  const frames = input.crops.map((crop) => crop.image);
  const content = imageContentOf(input.crops);
  if (frames.length <= 1) {
    return clipFromAnnotation(await input.annotator.annotate({ images: frames, taxonomy: input.taxonomy, signal: input.signal, ...content }), extraWarnings);
  }
  const { image, layout } = await tileFramesGrid(frames, gridCellSize(frames.length, input.annotator.capabilities.maxImageSide));
  const annotation = await input.annotator.annotate({
    images: [image],
    taxonomy: input.taxonomy,
    signal: input.signal,
    layout: { kind: 'grid', columns: layout.columns, rows: layout.rows, frameCount: frames.length, frames },
    ...content,
  });
  return clipFromAnnotation(annotation, extraWarnings, frames.length);
}

/** `grid`: the clip's frames tiled into one image with index labels, one request. */
export const gridStrategy: Strategy = {
  specificationVersion: 'v1',
  worker: { module: import.meta.url, exportName: 'gridStrategy' },
  name: 'grid',
  description: 'frames tiled into one numbered grid image; one request per clip',
  layout: 'grid',
  annotateClip: (input) => annotateAsGrid(input),
};
