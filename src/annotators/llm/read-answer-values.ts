import { ABSTAIN_REASONS, type AbstainReason } from '../annotator.js';
import { normaliseLabel, type Taxonomy } from '../../taxonomy/taxonomy.js';

// Lenient readers of the values in a model's answer, run before the annotation schema checks them:
// real answers drift (percentages, synonyms, case, numbers as text) even under structured output.

/** FACS intensities, A (trace) to E (maximum). */
export const INTENSITIES = ['A', 'B', 'C', 'D', 'E'] as const;

/** `"3"` → 3 and `"85%"` → 0.85; anything else as it is. */
export function asNumber(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value.trim().replace(/%$/, ''));
    return Number.isFinite(number) ? (value.trim().endsWith('%') ? number / 100 : number) : value;
  }
  return value;
}

/** Confidence as 0-1; `85`, `"85%"` and `"0.85"` all read as 0.85. */
export function asProbability(value: unknown): unknown {
  const number = asNumber(value);
  return typeof number === 'number' && number > 1 && number <= 100 ? number / 100 : number;
}

/** A label in the taxonomy's spelling (`happiness` → `Happy`), or the value as it is. */
export function asLabel(taxonomy: Taxonomy) {
  return (value: unknown): unknown => (typeof value === 'string' ? (normaliseLabel(value, taxonomy) ?? value) : value);
}

/** Maps each key of a model's distribution onto the taxonomy (summing synonyms), missing labels as 0. */
export function asDistribution(taxonomy: Taxonomy) {
  return (value: unknown): unknown => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object' || Array.isArray(value)) return value;
    const mapped: Record<string, number> = Object.fromEntries(taxonomy.labels.map((label) => [label, 0]));
    for (const [key, raw] of Object.entries(value)) {
      const label = normaliseLabel(key, taxonomy);
      const probability = asProbability(raw);
      if (label === undefined || typeof probability !== 'number') continue;
      mapped[label] = (mapped[label] ?? 0) + probability;
    }
    return mapped;
  };
}

/** `3` → `C`, `"c (moderate)"` → `C`. */
export function asIntensity(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5) return INTENSITIES[value - 1];
  return typeof value === 'string' ? value.trim().toUpperCase().slice(0, 1) : value;
}

const ABSTAIN_SYNONYMS: Readonly<Record<string, AbstainReason>> = {
  noface: 'no_face', no_face_visible: 'no_face', face_not_visible: 'no_face', hidden: 'occluded', occlusion: 'occluded',
  multiple_faces: 'several_faces', many_faces: 'several_faces', several_people: 'several_faces', multiple_people: 'several_faces',
  blurred: 'too_blurred', blurry: 'too_blurred', too_blurry: 'too_blurred', blur: 'too_blurred', too_small: 'too_blurred',
};

/** An abstain reason (`"Several faces"` → `several_faces`); "none", "", false and null mean no abstention. */
export function asAbstainReason(value: unknown): unknown {
  if (value === null || value === undefined || value === false) return null;
  if (typeof value !== 'string') return value;
  const key = value.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (['', 'none', 'null', 'no', 'false', 'n/a'].includes(key)) return null;
  return (ABSTAIN_REASONS as readonly string[]).includes(key) ? key : (ABSTAIN_SYNONYMS[key] ?? value);
}
