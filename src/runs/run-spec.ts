import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { JsonValue } from '../annotators/annotator.js';
import type { AnnotatorMiddleware } from '../annotators/annotator-middleware.js';
import { EmolabelError } from '../errors.js';
import type { AnnotateOptions } from '../pipeline/annotate.js';
import { resolveTaxonomy } from '../taxonomy/load-taxonomy.js';
import type { BatchMiddlewareOptions } from './batch/batch-middleware.js';
import type { BatchRunOptions } from './batch/batch-rounds.js';
import type { BudgetOptions } from './budget-middleware.js';
import type { ResilienceMiddleware, ResilientAnnotatorOptions } from './resilience/resilient-annotator.js';

const jsonValue: z.ZodType<JsonValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]));

/**
 * What a run is: everything that changes its results, and nothing else. It is what the run store
 * keeps and what the fingerprint hashes, so running the same spec again resumes the same run.
 * Strict: an unknown field fails, naming it. The provider checks `annotatorSettings` with its own
 * schema when the annotator is made. Fields keep the order (and names) runs were stored with.
 */
export const runSpecSchema = z.strictObject({
  /** Image files, video files and folders, as absolute paths. */
  inputs: z.array(z.string()),
  /** Annotator id, `provider:model`. */
  model: z.string().min(1),
  /** `frame`, `mean`, `multi`, `grid` or a registered strategy. */
  strategy: z.string().min(1),
  /** The taxonomy's name (`basic7`, `ternary`, or a file's `name`). */
  taxonomy: z.string().min(1),
  /** The taxonomy's JSON file, when it came from one (absolute): what a resume loads. */
  taxonomyFile: z.string().optional(),
  /** SHA-256 of that file, so an edited taxonomy is another run. */
  taxonomySha256: z.string().optional(),
  /** Frames sampled evenly from each video or frame folder. */
  frames: z.number().int().min(1).optional(),
  /** `largest` face per frame, `all` faces, or `none` (whole frames). */
  faces: z.enum(['largest', 'all', 'none']).optional(),
  /** Margin around each face box, as a fraction of its size. */
  faceMargin: z.number().min(0).max(2).optional(),
  /** A CSV of items (absolute path). */
  manifest: z.string().optional(),
  /** The manifest's column of media paths, when named (else detected). Absent from earlier runs' specs. */
  manifestPathColumn: z.string().min(1).optional(),
  /** The manifest's column of item ids, when named (else `id` when present). */
  manifestIdColumn: z.string().min(1).optional(),
  /** Each folder that directly holds images is one clip. */
  clipFolders: z.boolean().optional(),
  /** Settings of the annotator's provider (prompt, detail, base URL …); never keys or `env`. */
  annotatorSettings: z.record(z.string(), jsonValue).optional(),
});

export type RunSpec = z.infer<typeof runSpecSchema>;

/**
 * How this session runs a spec: never stored, never fingerprinted, free to change on a resume.
 */
export interface SessionOptions extends Pick<AnnotateOptions, 'concurrency' | 'maxConcurrency' | 'workers' | 'annotator' | 'detector' | 'saveFramesDir' | 'signal' | 'onResult' | 'onStart'> {
  /** Rate limits, the only timeout, retries (metered annotators only). */
  readonly resilience?: ResilientAnnotatorOptions | ResilienceMiddleware;
  /** Stop before the run's total cost would pass this many dollars. */
  readonly maxCostUsd?: number;
  /** Replaces the annotator's own `estimate` of a request's dollars, for the budget. */
  readonly estimateCostUsd?: BudgetOptions['estimateCostUsd'];
  /**
   * Take the run's lease even from a session that looks alive (it is gone, but its heartbeat is not
   * yet stale: another host, a reused pid). @default false
   */
  readonly takeOver?: boolean;
  /** Answer repeated requests from the response cache. @default true */
  readonly cache?: boolean;
  /** Further middleware, closest to the provider. */
  readonly middleware?: readonly AnnotatorMiddleware[];
  /** Where API keys are read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Once aborted, no new item starts; started items finish and are saved. */
  readonly stopSignal?: AbortSignal;
  /**
   * Send the requests through the provider's batch API (half price, answers within 24 hours) for
   * annotators with `capabilities.batch`: see docs/batch.md. Absent: online.
   */
  readonly batch?: BatchSessionOptions;
}

/** How a session runs in batch mode. */
export interface BatchSessionOptions extends BatchRunOptions, Pick<BatchMiddlewareOptions, 'followUps' | 'retries' | 'maxAttempts'> {}

/** Drops undefined values so equal specs serialise equally. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as T;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The spec of a run of `inputs` with the spec's fields of `options` (the flat options of
 * `annotate()`): paths made absolute, defaults left out, `env` never kept.
 */
export function runSpecOf(inputs: readonly string[], options: AnnotateOptions): RunSpec {
  const taxonomyFile = typeof options.taxonomy === 'string' && options.taxonomy.endsWith('.json') ? resolve(options.taxonomy) : undefined;
  const taxonomy = typeof options.taxonomy === 'object' ? options.taxonomy.name : taxonomyFile ? resolveTaxonomy(taxonomyFile).name : (options.taxonomy ?? 'basic7');
  for (const column of ['manifestPathColumn', 'manifestIdColumn'] as const) {
    if (options[column] !== undefined && options.manifest === undefined) {
      throw new EmolabelError('invalid_option', `\`${column}\` names a column of the manifest: give a manifest too.`);
    }
  }
  const { env: _session, ...settings } = options.annotatorSettings ?? {};
  const annotatorSettings = compact(settings) as Record<string, JsonValue>;
  return parseRunSpec(compact({
    inputs: [...inputs],
    model: options.model ?? 'local',
    strategy: options.strategy ?? 'frame',
    taxonomy,
    taxonomyFile,
    taxonomySha256: taxonomyFile && sha256(readFileSync(taxonomyFile)),
    frames: options.frames,
    faces: options.faces,
    faceMargin: options.faceMargin,
    manifest: options.manifest && resolve(options.manifest),
    manifestPathColumn: options.manifestPathColumn,
    manifestIdColumn: options.manifestIdColumn,
    clipFolders: options.clipFolders || undefined,
    annotatorSettings: Object.keys(annotatorSettings).length === 0 && options.annotatorSettings === undefined ? undefined : annotatorSettings,
  }), 'the run options');
}

/** Checks a spec (given, or read back from a store), naming the first field that is wrong. */
export function parseRunSpec(value: unknown, source: string): RunSpec {
  const result = runSpecSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((key) => `\`${key}\``).join(', ')}` : `\`${issue?.path.join('.') || 'spec'}\`: ${issue?.message}`;
  throw new EmolabelError('invalid_option', `${source} is not a valid run spec (${where}).`);
}

/** The flat options of `annotate()` for a spec and a session. */
export function annotateOptionsOf(spec: RunSpec, session: SessionOptions): AnnotateOptions {
  return {
    model: spec.model,
    strategy: spec.strategy,
    taxonomy: spec.taxonomyFile ?? spec.taxonomy,
    frames: spec.frames,
    faces: spec.faces,
    faceMargin: spec.faceMargin,
    manifest: spec.manifest,
    manifestPathColumn: spec.manifestPathColumn,
    manifestIdColumn: spec.manifestIdColumn,
    clipFolders: spec.clipFolders,
    annotatorSettings: { ...spec.annotatorSettings, ...(session.env ? { env: session.env } : {}) },
    concurrency: session.concurrency,
    maxConcurrency: session.maxConcurrency,
    workers: session.workers,
    annotator: session.annotator,
    detector: session.detector,
    saveFramesDir: session.saveFramesDir,
    signal: session.signal,
    onResult: session.onResult,
    onStart: session.onStart,
  };
}

/**
 * Equal for equal specs: running the same spec again resumes. The hash covers the spec in its
 * schema's field order with annotator settings sorted, which is how earlier releases hashed their
 * runs, so their unfinished runs are still found.
 */
export function runFingerprint(spec: RunSpec): string {
  const { inputs, annotatorSettings, ...rest } = spec;
  const sortedSettings = annotatorSettings && Object.fromEntries(Object.entries(annotatorSettings).sort(([a], [b]) => a.localeCompare(b)));
  const ordered = Object.fromEntries(Object.keys(runSpecSchema.shape).filter((key) => key in rest).map((key) => [key, rest[key as keyof typeof rest]]));
  return sha256(JSON.stringify({ inputs, ...ordered, annotatorSettings: sortedSettings })).slice(0, 32);
}
