import { z } from 'zod';
import { ABSTAIN_REASONS, type AbstainReason, type FrameLabel } from '../annotator.js';
import { asAbstainReason, asDistribution, asIntensity, asLabel, asNumber, asProbability, INTENSITIES } from './read-answer-values.js';
import type { Taxonomy } from '../../taxonomy/taxonomy.js';

/** What the answer to one request holds beyond the label: the prompt's schema version and the request's shape. */
export interface AnnotationSchemaOptions {
  /** Action units (and their interpretation) before the label: the `au-cot` prompt. */
  readonly actionUnits?: boolean;
  /**
   * `1`: the fields of the `@v1` prompts (`faceVisible` … `rationale`). `2` (prompts `@v2`):
   * `abstain` instead of `faceVisible`, the label each action unit suggests, and, per the options
   * below, per-frame labels, the peak frame and whether the hint was followed.
   * @default 1
   */
  readonly version?: 1 | 2;
  /** Frames the request shows (separately or in one grid); above 1, version 2 asks for each frame's label (and, with `actionUnits`, the peak frame). */
  readonly frameCount?: number;
  /** The prompt gives a local model's hint: version 2 asks whether it was followed. */
  readonly hint?: boolean;
}

/**
 * The one schema an LLM's answer must match, per taxonomy: the label is a `z.enum` of the taxonomy's
 * labels. It serves both ways: {@link annotationJsonSchema} turns it into the JSON schema sent as
 * structured output, and parsing it accepts the usual drift of real answers (label synonyms and case,
 * confidence as a percentage, missing optional fields). Field order is generation order, so with
 * `actionUnits` the model lists action units and interprets them before it names the label; with
 * version 2 it says first whether it abstains, and labels the clip before its frames, so the clip
 * label is the multi-frame answer rather than a count of the frame labels.
 * @example createAnnotationSchema(ternary, { version: 2, frameCount: 8 }) // abstain, label, confidence, distribution, frames, rationale
 */
export function createAnnotationSchema(taxonomy: Taxonomy, options: AnnotationSchemaOptions = {}) {
  const labels = taxonomy.labels as [string, ...string[]];
  const v2 = options.version === 2;
  const frameCount = options.frameCount ?? 1;
  const label = z.preprocess(asLabel(taxonomy), z.enum(labels));
  const probability = z.preprocess(asProbability, z.number().min(0).max(1));
  const distribution = z
    .preprocess(asDistribution(taxonomy), z.object(Object.fromEntries(labels.map((name) => [name, z.number().min(0).max(1)]))).nullable())
    .describe('Probability of each label, summing to 1; null if you give none');
  const actionUnit = z.object({
    unit: z.string().describe('FACS code, e.g. AU12'),
    name: z.string().describe('e.g. lip corner puller'),
    intensity: z.preprocess(asIntensity, z.enum(INTENSITIES)).describe('FACS intensity, A (trace) to E (maximum)'),
    ...(v2 ? { suggests: label.describe('The label this unit points to') } : {}),
  });
  const frameNumber = z.preprocess(asNumber, z.int().min(1).max(Math.max(1, frameCount)));
  const several = v2 && frameCount > 1;
  const fields = {
    ...(v2
      ? { abstain: z.preprocess(asAbstainReason, z.enum(ABSTAIN_REASONS).nullable()).describe('null when you can judge the expression; otherwise why you cannot') }
      : { faceVisible: z.boolean().describe('true if a human face is visible') }),
    ...(several && options.actionUnits ? { peakFrame: frameNumber.nullable().describe('Number of the frame where the expression is strongest; null if none stands out') } : {}),
    ...(options.actionUnits
      ? {
          actionUnits: z.array(actionUnit).describe(several ? 'Action units seen at the peak, with intensity' : 'Action units observed, with intensity'),
          interpretation: z.string().describe('What the combination of action units usually means'),
        }
      : {}),
    label: label.describe(v2 ? `One of: ${labels.join(', ')}; when you abstain, the closest one (not used)` : `One of: ${labels.join(', ')}`),
    confidence: probability.describe(v2 ? 'How sure you are, 0 to 1; 0 when you abstain' : 'How sure you are, 0 to 1'),
    distribution,
    ...(several ? { frames: z.array(z.object({ index: frameNumber.describe('Frame number'), label })).describe('Each frame\'s own label, by frame number') } : {}),
    rationale: z.string().describe('One short sentence on what decided the label'),
    ...(v2 && options.hint ? { hintFollowed: z.boolean().describe('true if you took the classifier\'s first choice, false if what you saw overruled it') } : {}),
  };
  const defaults: Record<string, unknown> = {
    ...(v2 ? { abstain: null, ...(several ? { frames: [] } : {}), ...(several && options.actionUnits ? { peakFrame: null } : {}) } : { faceVisible: true }),
    distribution: null, rationale: '', ...(options.actionUnits ? { actionUnits: [], interpretation: '' } : {}),
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

/** A parsed LLM answer (the fields of the schema it matched). */
export interface AnnotationFields {
  /** Schema version 1; version 2 says `abstain: 'no_face'` instead. */
  readonly faceVisible?: boolean;
  /** Schema version 2: why the model cannot judge the expression, or null. */
  readonly abstain?: AbstainReason | null;
  readonly peakFrame?: number | null;
  readonly actionUnits?: ReadonlyArray<{ unit: string; name: string; intensity: string; suggests?: string }>;
  readonly interpretation?: string;
  readonly label: string;
  readonly confidence: number;
  readonly distribution: Record<string, number> | null;
  readonly frames?: readonly FrameLabel[];
  readonly rationale: string;
  readonly hintFollowed?: boolean;
}

/**
 * The JSON schema sent as structured output (OpenAI `json_schema` with `strict`, Anthropic tool
 * `input_schema`, Gemini `responseJsonSchema`): every field required, no extra fields.
 */
export function annotationJsonSchema(schema: AnnotationSchema): Record<string, unknown> {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>;
  return jsonSchema;
}
