import { classifyBasicExpression } from '../local/face-api-expression-annotator.js';
import type { RgbImage } from '../../media/rgb-image.js';
import { BASIC_LABELS, type BasicLabel } from '../../taxonomy/basic-labels.js';
import { collapseBasicDistribution, type Distribution, type Taxonomy } from '../../taxonomy/taxonomy.js';

/**
 * The bundled local model's view of a clip, for the `hint` prompt: the mean of its per-image
 * probabilities, collapsed onto the taxonomy. Runs offline, no request.
 */
export async function localHint(images: readonly RgbImage[], taxonomy: Taxonomy): Promise<Distribution> {
  const sums = Object.fromEntries(BASIC_LABELS.map((label) => [label, 0])) as Record<BasicLabel, number>;
  for (const image of images) {
    const distribution = await classifyBasicExpression(image);
    for (const label of BASIC_LABELS) sums[label] += distribution[label] / images.length;
  }
  return collapseBasicDistribution(sums, taxonomy);
}
