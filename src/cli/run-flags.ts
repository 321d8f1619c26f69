import { resolve } from 'node:path';
import { type ProviderLimitFlags, resilienceOptionsFromFlags } from './provider-limit-options.js';
import type { BatchFollowUp } from '../runs/batch/batch-middleware.js';
import type { ResilienceStats } from '../runs/resilience/resilience-stats.js';
import { type RunSpec, runSpecOf, type SessionOptions } from '../runs/run-spec.js';

/** The flags of `emolabel annotate` that say what the run is (a {@link RunSpec}). */
export interface RunSpecFlags {
  readonly model: string;
  readonly strategy: string;
  readonly taxonomy: string;
  readonly frames: number;
  readonly faces: 'largest' | 'all' | 'none';
  readonly faceMargin: number;
  readonly manifest?: string;
  /** `--path-column`: the manifest's column of media paths. */
  readonly pathColumn?: string;
  /** `--id-column`: the manifest's column of item ids. */
  readonly idColumn?: string;
  readonly clipFolders?: boolean;
  readonly baseUrl?: string;
  readonly apiKeyEnv?: string;
  readonly prompt?: string;
  readonly detail?: string;
  readonly imageSize?: number;
  readonly maxImages?: number;
  readonly priceTable?: string;
  readonly maxOutputTokens?: number;
  readonly reasoningEffort?: string;
  readonly serviceTier?: string;
}

/** The flags of `emolabel annotate` that say how this session runs it ({@link SessionOptions}). */
export interface SessionFlags extends ProviderLimitFlags {
  readonly concurrency: number | 'auto';
  readonly maxConcurrency?: number;
  readonly workers?: number;
  readonly saveFrames?: string;
  readonly takeOver?: boolean;
  /** `--batch`: through the provider's batch API. */
  readonly batch?: boolean;
  /** False with `--no-wait`. */
  readonly wait?: boolean;
  readonly batchFollowUps?: BatchFollowUp;
  readonly batchRetries?: BatchFollowUp;
  /** Seconds between polls of the batches. */
  readonly batchPoll?: number;
}

/**
 * The one place CLI flags become a run spec: paths resolved against the working directory (a
 * taxonomy file by absolute path, so a resume from another folder finds it).
 */
export function runSpecFromFlags(inputs: readonly string[], flags: RunSpecFlags, cwd: string): RunSpec {
  return runSpecOf(inputs.map((input) => resolve(cwd, input)), {
    model: flags.model,
    strategy: flags.strategy,
    taxonomy: flags.taxonomy.endsWith('.json') ? resolve(cwd, flags.taxonomy) : flags.taxonomy,
    frames: flags.frames,
    faces: flags.faces,
    faceMargin: flags.faceMargin,
    manifest: flags.manifest && resolve(cwd, flags.manifest),
    manifestPathColumn: flags.pathColumn,
    manifestIdColumn: flags.idColumn,
    clipFolders: flags.clipFolders,
    annotatorSettings: {
      baseUrl: flags.baseUrl, apiKeyEnv: flags.apiKeyEnv, prompt: flags.prompt, detail: flags.detail, imageSize: flags.imageSize,
      maxImagesPerRequest: flags.maxImages, priceTable: flags.priceTable && resolve(cwd, flags.priceTable),
      maxOutputTokens: flags.maxOutputTokens, reasoningEffort: flags.reasoningEffort, serviceTier: flags.serviceTier,
    },
  });
}

/** The one place CLI flags become session options: concurrency, workers, cache, budget, rate limits, timeout, retries. */
export function sessionFromFlags(flags: SessionFlags, cwd: string, stats?: ResilienceStats): SessionOptions {
  return {
    concurrency: flags.concurrency,
    ...(flags.maxConcurrency === undefined ? {} : { maxConcurrency: flags.maxConcurrency }),
    workers: flags.workers,
    saveFramesDir: flags.saveFrames && resolve(cwd, flags.saveFrames),
    cache: flags.cache,
    takeOver: flags.takeOver,
    maxCostUsd: flags.maxCost,
    resilience: resilienceOptionsFromFlags(flags, stats),
    ...(flags.batch ? {
      batch: {
        wait: flags.wait !== false, ...(flags.batchFollowUps ? { followUps: flags.batchFollowUps } : {}), ...(flags.batchRetries ? { retries: flags.batchRetries } : {}),
        ...(flags.batchPoll === undefined ? {} : { pollIntervalMs: flags.batchPoll * 1000 }),
      },
    } : {}),
  };
}
