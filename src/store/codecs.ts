import { z } from 'zod';
import { ABSTAIN_REASONS, type Annotation, type JsonValue } from '../annotators/annotator.js';
import type { ClipResult, FrameRecord } from '../pipeline/clip-result.js';
import { defineBlobCodec } from './blob-codec.js';
import type { RequestSummary } from './request-summary.js';

// Every JSON blob of the store, with a reader per codec version. Version 1 is what emolabel 0.1
// wrote; version 2 adds the status `abstained` (with its reason) to results and cached answers, so
// an emolabel that reads only version 1 says "written by a newer emolabel" instead of "damaged".
// Objects are loose (fields a later release adds pass through); the fields the store and its
// callers read are checked.

const usage = z.looseObject({ inputTokens: z.number(), outputTokens: z.number() });
const distribution = z.record(z.string(), z.number());
const actionUnits = z.array(z.looseObject({ unit: z.string(), name: z.string().optional(), intensity: z.string().optional(), suggests: z.string().optional() }));
const abstain = z.enum(ABSTAIN_REASONS).optional();

/** `runs.inputs`: the paths a run was given, as given. */
export const RUN_INPUTS = defineBlobCodec<readonly string[]>('the inputs of the run', { 1: z.array(z.string()), 2: z.array(z.string()), 3: z.array(z.string()) });

/** `runs.labels`: the run's taxonomy labels, in order (empty until the taxonomy has loaded). */
export const RUN_LABELS = defineBlobCodec<readonly string[]>('the labels of the run', { 1: z.array(z.string()), 2: z.array(z.string()), 3: z.array(z.string()) });

const runOptions = z.looseObject({
  model: z.string().optional(),
  strategy: z.string().optional(),
  taxonomy: z.string().optional(),
  taxonomyFile: z.string().optional(),
  frames: z.number().optional(),
  faces: z.enum(['largest', 'all', 'none']).optional(),
  faceMargin: z.number().optional(),
  manifest: z.string().optional(),
  manifestPathColumn: z.string().optional(),
  manifestIdColumn: z.string().optional(),
  clipFolders: z.boolean().optional(),
  annotatorSettings: z.record(z.string(), z.unknown()).optional(),
});
/** `runs.options`: the result-changing options a resume reuses (`StoredRunOptions`, of runs/). */
export const RUN_OPTIONS = defineBlobCodec<Readonly<Record<string, unknown>>>('the options of the run', { 1: runOptions, 2: runOptions, 3: runOptions });

const frameRecord: z.ZodType<FrameRecord> = z.looseObject({
  index: z.number(),
  sourceIndex: z.number(),
  timeSec: z.number().optional(),
  file: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  box: z.looseObject({ x: z.number(), y: z.number(), width: z.number(), height: z.number(), score: z.number() }).optional(),
});

const clipResultV1 = z.looseObject({
  id: z.string(),
  path: z.string(),
  kind: z.enum(['image', 'video', 'frames']),
  faceIndex: z.number(),
  truth: z.string().optional(),
  label: z.string().optional(),
  confidence: z.number().optional(),
  distribution: distribution.optional(),
  // A frame without a label was `undefined`, which JSON keeps as `null`.
  frameLabels: z.array(z.string().nullable().transform((label) => label ?? undefined)),
  framesUsed: z.number(),
  faceFound: z.boolean(),
  model: z.string(),
  strategy: z.string(),
  taxonomy: z.string(),
  status: z.enum(['ok', 'no_face', 'refused', 'error']),
  error: z.string().optional(),
  rationale: z.string().optional(),
  actionUnits: actionUnits.optional(),
  rawText: z.string().optional(),
  usage,
  costUsd: z.number(),
  promptVersion: z.string().optional(),
  warnings: z.array(z.string()),
  frames: z.array(frameRecord),
  durationMs: z.number(),
});

const clipResultV2 = clipResultV1.extend({
  status: z.enum(['ok', 'no_face', 'abstained', 'refused', 'error']),
  abstain,
  peakFrame: z.number().optional(),
  hintFollowed: z.boolean().optional(),
  worker: z.looseObject({ host: z.string(), pid: z.number() }).optional(),
  faceDetection: z.enum(['not_applied']).optional(),
});

/** `results.result`: one output row. Codec 3: `costUsd` is `null` when a paid request's price is unknown. */
export const CLIP_RESULT = defineBlobCodec<ClipResult>('the result', {
  1: clipResultV1,
  2: clipResultV2,
  3: clipResultV2.extend({ costUsd: z.number().nullable() }),
});

const cachedAnnotationV1 = z.looseObject({
  status: z.enum(['ok', 'refused', 'error']),
  label: z.string().optional(),
  confidence: z.number().optional(),
  distribution: distribution.optional(),
  rationale: z.string().optional(),
  usage: usage.optional(),
  costUsd: z.number().optional(),
  rawText: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  promptVersion: z.string().optional(),
  faceVisible: z.boolean().optional(),
  actionUnits: actionUnits.optional(),
  attempts: z.number().optional(),
  cached: z.boolean().optional(),
});

/** `response_cache.annotation`: an annotator's answer, reused for an identical request. */
const cachedAnnotationV2 = cachedAnnotationV1.extend({
  status: z.enum(['ok', 'abstained', 'refused', 'error']),
  abstain,
  perFrameLabels: z.array(z.looseObject({ index: z.number(), label: z.string() })).optional(),
  peakFrame: z.number().optional(),
  hintFollowed: z.boolean().optional(),
});

export const CACHED_ANNOTATION = defineBlobCodec<Annotation>('the cached annotation', {
  1: cachedAnnotationV1,
  2: cachedAnnotationV2,
  3: cachedAnnotationV2,
});

/** `response_cache.response`: the provider's raw reply, any JSON. */
export const RAW_RESPONSE = defineBlobCodec<JsonValue>('the provider\'s raw reply', { 1: z.json(), 2: z.json(), 3: z.json() });

/** `requests.request`: what was sent, images by hash and size. */
const requestSummary = z.looseObject({
  model: z.string(),
  images: z.array(z.looseObject({ sha256: z.string(), width: z.number(), height: z.number() })),
  taxonomy: z.string(),
  parameters: z.record(z.string(), z.unknown()),
});
export const REQUEST_SUMMARY = defineBlobCodec<RequestSummary>('the request summary', { 1: requestSummary, 2: requestSummary, 3: requestSummary });
