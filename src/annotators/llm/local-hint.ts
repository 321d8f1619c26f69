import { classifyBasicExpression } from '../local/face-api-expression-annotator.js';
import type { PromptContext } from './build-llm-request.js';
import { type LocalModelReliability, loadLocalModelReliability, reliabilityFor } from './local-model-reliability.js';
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

const percent = (share: number) => `${Math.round(share * 100)}%`;

/**
 * A hint for the `hint@v2` prompt, in words: the local model's first two choices (its
 * probabilities are overconfident, so they are left out) and how often it was right when it made
 * each of those choices on faces-dev (the class's precision, from `prompts/local-model-reliability.json`),
 * measured for the taxonomy in use. A taxonomy that was not measured gets no reliability sentence.
 * @example describeHint({ negative: 0.1, neutral: 0.2, positive: 0.7 }, ternary).hintChoices // 'its first choice is positive and its second neutral'
 */
export function describeHint(
  distribution: Distribution,
  taxonomy: Taxonomy,
  reliability: LocalModelReliability = loadLocalModelReliability(),
): Required<Pick<PromptContext, 'hintChoices' | 'hintReliability'>> {
  const [first, second] = taxonomy.labels
    .map((label, order) => ({ label, order, probability: distribution[label] ?? 0 }))
    .sort((a, b) => b.probability - a.probability || a.order - b.order)
    .map(({ label }) => label);
  const hintChoices = second === undefined ? `its choice is ${first ?? '-'}` : `its first choice is ${first} and its second ${second}`;
  const measured = reliabilityFor(taxonomy, reliability);
  if (measured === undefined || first === undefined) return { hintChoices, hintReliability: '' };
  const precisionOf = (label: string) => measured.classes[label]?.precision ?? null;
  const firstPrecision = precisionOf(first);
  const clauses = [firstPrecision === null ? `it never said ${first} there` : `it was right about ${percent(firstPrecision)} of the time when it said ${first}`];
  if (second !== undefined) {
    const secondPrecision = precisionOf(second);
    clauses.push(secondPrecision === null ? `it never said ${second}` : `about ${percent(secondPrecision)} when it said ${second}`);
  }
  return { hintChoices, hintReliability: `On ${reliability.images} labelled face photos, ${clauses.join(', and ')}.` };
}
