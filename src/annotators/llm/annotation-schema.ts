import { z } from 'zod';
import { normaliseLabel, type Taxonomy } from '../../taxonomy/taxonomy.js';

const INTENSITIES = ['A', 'B', 'C', 'D', 'E'] as const;

function asNumber(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value.trim().replace(/%$/, ''));
    return Number.isFinite(number) ? (value.trim().endsWith('%') ? number / 100 : number) : value;
  }
  return value;
}

/** Confidence as 0-1; `85`, `"85%"` and `"0.85"` all read as 0.85. */
function asProbability(value: unknown): unknown {
  const number = asNumber(value);
  return typeof number === 'number' && number > 1 && number <= 100 ? number / 100 : number;
}

/** Maps each key of a model's distribution onto the taxonomy (summing synonyms), missing labels as 0. */
function asDistribution(taxonomy: Taxonomy) {
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

function asIntensity(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5) return INTENSITIES[value - 1];
  return typeof value === 'string' ? value.trim().toUpperCase().slice(0, 1) : value;
}

/**
 * The one schema an LLM's answer must match, per taxonomy: the label is a `z.enum` of the taxonomy's
 * labels. It serves both ways: {@link annotationJsonSchema} turns it into the JSON schema sent as
 * structured output, and parsing it accepts the usual drift of real answers (label synonyms and case,
 * confidence as a percentage, missing optional fields). Field order is generation order, so with
 * `actionUnits` the model lists action units and interprets them before it names the label.
 */
export function createAnnotationSchema(taxonomy: Taxonomy, options: { actionUnits?: boolean } = {}) {
  const labels = taxonomy.labels as [string, ...string[]];
  const label = z
    .preprocess((value) => (typeof value === 'string' ? (normaliseLabel(value, taxonomy) ?? value) : value), z.enum(labels))
    .describe(`One of: ${labels.join(', ')}`);
  const probability = z.preprocess(asProbability, z.number().min(0).max(1));
  const distribution = z
    .preprocess(asDistribution(taxonomy), z.object(Object.fromEntries(labels.map((name) => [name, z.number().min(0).max(1)]))).nullable())
    .describe('Probability of each label, summing to 1; null if you give none');
  const actionUnit = z.object({
    unit: z.string().describe('FACS code, e.g. AU12'),
    name: z.string().describe('e.g. lip corner puller'),
    intensity: z.preprocess(asIntensity, z.enum(INTENSITIES)).describe('FACS intensity, A (trace) to E (maximum)'),
  });
  const fields = {
    faceVisible: z.boolean().describe('true if a human face is visible'),
    ...(options.actionUnits
      ? {
          actionUnits: z.array(actionUnit).describe('Action units observed, with intensity'),
          interpretation: z.string().describe('What the combination of action units usually means'),
        }
      : {}),
    label,
    confidence: probability.describe('How sure you are, 0 to 1'),
    distribution,
    rationale: z.string().describe('One short sentence on what decided the label'),
  };
  const defaults: Record<string, unknown> = {
    faceVisible: true, distribution: null, rationale: '', ...(options.actionUnits ? { actionUnits: [], interpretation: '' } : {}),
  };
  return z.preprocess((value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const filled: Record<string, unknown> = { ...defaults };
    for (const [key, field] of Object.entries(value)) if (field !== null || !(key in defaults)) filled[key] = field;
    return filled;
  }, z.object(fields));
}

/** The schema of an LLM answer for one taxonomy and prompt mode. */
export type AnnotationSchema = ReturnType<typeof createAnnotationSchema>;

/** A parsed LLM answer. */
export interface AnnotationFields {
  readonly faceVisible: boolean;
  readonly actionUnits?: ReadonlyArray<{ unit: string; name: string; intensity: string }>;
  readonly interpretation?: string;
  readonly label: string;
  readonly confidence: number;
  readonly distribution: Record<string, number> | null;
  readonly rationale: string;
}

/**
 * The JSON schema sent as structured output (OpenAI `json_schema` with `strict`, Anthropic tool
 * `input_schema`, Gemini `responseJsonSchema`): every field required, no extra fields.
 */
export function annotationJsonSchema(schema: AnnotationSchema): Record<string, unknown> {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>;
  return jsonSchema;
}
