import { availableParallelism } from 'node:os';
import PQueue from 'p-queue';
import { extractItem, failedResult, type ItemContext } from './annotate-item.js';
import { checkItemContextOptions, createItemContext, DEFAULT_CONCURRENCY } from './item-context.js';
import type { RequestLimit } from './request-limit.js';
import { type ClipResult, isFailure } from './clip-result.js';
import type { Annotator } from '../annotators/annotator.js';
import type { AnnotatorSettings } from '../annotators/annotator-provider.js';
import { createAnnotator } from '../annotators/annotator-registry.js';
import { DeferredRequestError, EmolabelError } from '../errors.js';
import type { FaceDetector } from '../faces/face-detector.js';
import type { FaceMode } from '../faces/find-faces.js';
import { discoverInputs, type InputFailure } from '../media/discover-inputs.js';
import type { MediaItem } from '../media/media-item.js';
import { getStrategy } from '../strategies/strategy-registry.js';
import { resolveTaxonomy } from '../taxonomy/load-taxonomy.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';

/** Options of {@link annotate}; the CLI flags map onto these one to one. */
export interface AnnotateOptions {
  /** Annotator id, `provider:model`. @default 'local' */
  readonly model?: string;
  /** Settings for the annotator factory (base URL, key variable, prompt …). */
  readonly annotatorSettings?: AnnotatorSettings;
  /** Use this annotator instead of creating one from `model` (tests, custom models). */
  readonly annotator?: Annotator;
  /** How frames become a clip label: `frame` (majority vote), `mean`, or a registered strategy. @default 'frame' */
  readonly strategy?: string;
  /** `basic7`, `ternary`, a path to a taxonomy JSON file, or a Taxonomy. @default 'basic7' */
  readonly taxonomy?: string | Taxonomy;
  /** Frames sampled evenly from each video or frame folder. @default 8 */
  readonly frames?: number;
  /** `largest` face per frame, `all` faces (one result per person), or `none` (whole frames). @default 'largest' */
  readonly faces?: FaceMode;
  /** Margin around each face box, as a fraction of its size. @default 0.1 */
  readonly faceMargin?: number;
  /** A CSV with `path` and optional `label` columns; its items are added to `inputs`. */
  readonly manifest?: string;
  /** The manifest's column of media paths. @default `path`, else the one usual name present (image, clip, video, file …) */
  readonly manifestPathColumn?: string;
  /** The manifest's column of item ids. @default `id` when there is one beside the path column, else ids from the paths */
  readonly manifestIdColumn?: string;
  /** Each folder that directly holds images is one clip (FERV39k layout). @default false */
  readonly clipFolders?: boolean;
  /**
   * Requests in flight to a paid annotator (items labelled at once for the local model): a number,
   * or `auto`, which starts at 4 and follows the provider (more while it answers, 30% fewer after a 429;
   * see request-limit.ts). For the local model `auto` is 2.
   * @default 'auto'
   */
  readonly concurrency?: number | 'auto';
  /** The ceiling of `concurrency: 'auto'`. @default 64 */
  readonly maxConcurrency?: number;
  /**
   * The request limit to use, made by the caller, who then puts `providerSignalsMiddleware(limit)`
   * next to the provider inside its retries. @default one made from `concurrency`, around `annotator`
   */
  readonly requestLimit?: RequestLimit;
  /**
   * Worker threads for the CPU-bound work (decode, face detection, the local model), one model each;
   * `1` runs everything on the main thread. With the bundled local model whole items run on the
   * workers, two items per worker at a time (more than `concurrency` when needed); with other
   * annotators only frames and face crops are made there.
   * @default min(concurrency, cores) for the local model; 1 for other annotators
   */
  readonly workers?: number;
  /** Write the sampled frames and face crops as JPEG under this folder. */
  readonly saveFramesDir?: string;
  /** Replaces the bundled face detector. */
  readonly detector?: FaceDetector;
  readonly signal?: AbortSignal;
  /** Called with each item's results as soon as they are known (in completion order). */
  readonly onResult?: (results: readonly ClipResult[], progress: { done: number; total: number }) => void;
  /** Called once the inputs are discovered, with the number of items. */
  readonly onStart?: (total: number) => void;
}

export interface AnnotateSummary {
  readonly items: number;
  readonly ok: number;
  readonly noFace: number;
  /** Results the model abstained on (no face, occluded, several faces, too blurred, too few frames labelled). */
  readonly abstained: number;
  readonly refused: number;
  readonly failed: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The part of `outputTokens` spent reasoning, where providers reported it. */
  readonly reasoningTokens: number;
  /** What the results with a known cost cost; `unpriced` counts those whose price is unknown. */
  readonly costUsd: number;
  /** Results a paid request of unknown price went into (their cost is `null`, not counted in `costUsd`). */
  readonly unpriced: number;
}

export interface AnnotateOutput {
  /** One result per item (per face with `faces: 'all'`), in input order. */
  readonly results: ClipResult[];
  readonly summary: AnnotateSummary;
}

export { DEFAULT_CONCURRENCY } from './item-context.js';

/** An annotation job resolved and its inputs discovered, ready to run item by item. */
export interface PreparedAnnotation {
  readonly context: ItemContext;
  readonly items: readonly MediaItem[];
  readonly failures: readonly InputFailure[];
  /** Stops the worker threads, and closes the annotator when this job created it. */
  close(): Promise<void>;
}

/** Resolves options (taxonomy, strategy, annotator, detector) and discovers the inputs, before any labelling. */
export async function prepareAnnotation(inputs: string | readonly string[], options: AnnotateOptions = {}): Promise<PreparedAnnotation> {
  checkItemContextOptions(options);
  const taxonomy = typeof options.taxonomy === 'object' ? options.taxonomy : resolveTaxonomy(options.taxonomy ?? 'basic7');
  const strategy = getStrategy(options.strategy ?? 'frame');
  const annotator = options.annotator ?? createAnnotator(options.model ?? 'local', options.annotatorSettings);
  // A missing API key or base URL fails here, before any input is read.
  annotator.checkReady?.();
  const discovered = await discoverInputs(typeof inputs === 'string' ? [inputs] : inputs, {
    manifest: options.manifest, manifestPathColumn: options.manifestPathColumn, manifestIdColumn: options.manifestIdColumn, clipFolders: options.clipFolders,
  });
  if (discovered.items.length === 0 && discovered.failures.length === 0) {
    throw new EmolabelError('invalid_input', 'No images, videos or frame folders found in the inputs; check the paths (set `clipFolders` for folders of frames).');
  }
  const { context, close } = createItemContext({ ...options, annotator, taxonomy, strategy });
  return {
    context,
    items: discovered.items,
    failures: discovered.failures,
    close: async () => {
      await close();
      if (!options.annotator) await annotator.close?.();
    },
  };
}

/** The result row of an input that could not become an item. */
export function inputFailureResult(failure: InputFailure, context: ItemContext): ClipResult {
  return failedResult(failure, context, failure.error);
}

export interface AnnotateItemsOptions {
  /** Items labelled at once when the context has no request limit (the local model). @default 2 */
  readonly concurrency?: number;
  /** Once aborted, no further item starts; items already started finish. */
  readonly stopSignal?: AbortSignal;
  /** Called with each item's results as soon as they are known (completion order). */
  readonly onItemDone?: (item: MediaItem, results: ClipResult[]) => void;
  /** Keep every item's results for the return value; a run that stores them as they come can say false. @default true */
  readonly keepResults?: boolean;
  /**
   * Called for an item whose requests were put in a provider batch (`DeferredRequestError`): it has
   * no results yet and is left for the next round. Without it such an item stops the run.
   */
  readonly onItemDeferred?: (item: MediaItem) => void;
}

/** Items whose frames and faces are made at once, ahead of labelling: enough to overlap decoding (sharp, ffmpeg) with detection. */
function extractionSlots(concurrency: number): number {
  return Math.min(concurrency, Math.max(2, availableParallelism()));
}

/**
 * Labels items with bounded concurrency, in two stages: the frames and faces of up to
 * {@link extractionSlots} items are made while `concurrency` items are labelled (waiting on the
 * provider), so CPU work overlaps requests instead of adding to each item's time; at most
 * `concurrency` + that many items are held at once, and as many more queued. An error that must stop the whole run (budget
 * reached, fatal provider error) stops new items from starting, lets started requests finish, then
 * is rethrown. Returns each item's results in item order (`undefined` for items never labelled, and
 * for every item with `keepResults: false`).
 */
export async function annotateItems(context: ItemContext, items: readonly MediaItem[], options: AnnotateItemsOptions = {}): Promise<Array<ClipResult[] | undefined>> {
  // Workers running whole items ask for enough items to stay busy (two each); a paid annotator's
  // items are labelled as many at a time as its request limit allows, which may change as it learns.
  const given = context.requestLimit?.current ?? options.concurrency ?? DEFAULT_CONCURRENCY;
  const limitReport = context.requestLimit?.report();
  const extracting = extractionSlots(limitReport ? Math.max(given, limitReport.max) : given);
  // An adaptive limit learns from requests that wait for a slot: with one request per item, as many
  // items as slots would never show it that demand, so a few more items are labelled than it allows.
  const headroom = limitReport?.mode === 'adaptive' ? extracting : 0;
  const itemsAtOnce = (limit: number) => Math.max(limit + headroom, context.workers?.itemsInFlight ?? 0);
  let concurrency = itemsAtOnce(given);
  const queue = new PQueue({ concurrency: concurrency + extracting });
  const extraction = new PQueue({ concurrency: extracting });
  const labelling = new PQueue({ concurrency });
  const stopFollowing = context.requestLimit?.onChange((limit) => {
    concurrency = itemsAtOnce(limit);
    labelling.concurrency = concurrency;
    queue.concurrency = concurrency + extracting;
  });
  const resultsByItem: Array<ClipResult[] | undefined> = new Array(items.length).fill(undefined);
  let stopError: unknown;
  const stopped = () => stopError !== undefined || options.stopSignal?.aborted === true;
  // Only the outer queue is cleared: tasks already in the inner queues see `stopped()` and return.
  const stop = () => queue.clear();
  const fail = (error: unknown) => {
    stopError ??= error;
    stop();
  };
  options.stopSignal?.addEventListener('abort', stop, { once: true });
  // The request limit learns when the input is used up: free slots after that are the run ending.
  let extracted = 0;
  const extractedOne = () => {
    extracted += 1;
    if (extracted === items.length) context.requestLimit?.setInputOpen(false);
  };
  context.requestLimit?.setInputOpen(items.length > 0);
  for (const [index, item] of items.entries()) {
    // Queued as slots free up rather than all at once: each queued item holds about 1 KB.
    await queue.onSizeLessThan(concurrency + extracting);
    if (stopped()) break;
    void queue.add(async () => {
      const label = await extraction.add(async () => {
        if (stopped()) return undefined;
        return extractItem(item, context).catch((error: unknown) => void fail(error));
      }).finally(extractedOne);
      if (label === undefined) return;
      await labelling.add(async () => {
        // An item extracted but not yet labelled has sent nothing: after a stop it is left for a resume.
        if (stopped()) return;
        try {
          const results = await label();
          if (options.keepResults !== false) resultsByItem[index] = results;
          options.onItemDone?.(item, results);
        } catch (error) {
          if (options.onItemDeferred && DeferredRequestError.isInstance(error)) return options.onItemDeferred(item);
          // Set before this task settles, so the next queued item already sees it.
          fail(error);
        }
      });
    });
  }
  await queue.onIdle();
  context.requestLimit?.setInputOpen(false);
  stopFollowing?.();
  options.stopSignal?.removeEventListener('abort', stop);
  if (stopError !== undefined) throw stopError;
  return resultsByItem;
}

/**
 * Labels the emotion of the faces in images, videos and frame folders.
 * @example
 * const { results } = await annotate(['clips/'], { strategy: 'mean', frames: 8 });
 * for (const result of results) console.log(result.id, result.label, result.confidence);
 */
export async function annotate(inputs: string | readonly string[], options: AnnotateOptions = {}): Promise<AnnotateOutput> {
  const prepared = await prepareAnnotation(inputs, options);
  const total = prepared.items.length + prepared.failures.length;
  options.onStart?.(total);
  let done = 0;
  const report = (results: ClipResult[]) => options.onResult?.(results, { done: (done += 1), total });
  const failureResults = prepared.failures.map((failure) => [inputFailureResult(failure, prepared.context)]);
  failureResults.forEach(report);
  try {
    const itemResults = await annotateItems(prepared.context, prepared.items, {
      concurrency: typeof options.concurrency === 'number' ? options.concurrency : undefined, stopSignal: options.signal, onItemDone: (_item, results) => report(results),
    });
    options.signal?.throwIfAborted();
    const results = [...failureResults, ...itemResults.map((each) => each ?? [])].flat();
    return { results, summary: summarise(results) };
  } finally {
    await prepared.close();
  }
}

export function summarise(results: readonly ClipResult[]): AnnotateSummary {
  return {
    items: results.length,
    ok: results.filter((result) => result.status === 'ok').length,
    noFace: results.filter((result) => result.status === 'no_face').length,
    abstained: results.filter((result) => result.status === 'abstained').length,
    refused: results.filter((result) => result.status === 'refused').length,
    failed: results.filter(isFailure).length,
    inputTokens: results.reduce((sum, result) => sum + result.usage.inputTokens, 0),
    outputTokens: results.reduce((sum, result) => sum + result.usage.outputTokens, 0),
    reasoningTokens: results.reduce((sum, result) => sum + (result.usage.reasoningTokens ?? 0), 0),
    costUsd: results.reduce((sum, result) => sum + (result.costUsd ?? 0), 0),
    unpriced: results.filter((result) => result.costUsd === null).length,
  };
}
