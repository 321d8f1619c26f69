import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { ClipResult, ClipStatus, FrameRecord } from './clip-result.js';
import type { ItemFaces } from './item-faces.js';
import type { RequestLimit } from './request-limit.js';
import { withItemScope } from './item-scope.js';
import type { ItemWorkers } from './workers/item-worker-pool.js';
import { type Annotator, annotatorId } from '../annotators/annotator.js';
import { isMetered } from '../annotators/annotator-middleware.js';
import { DeferredRequestError, describeError, EmolabelError, isRunStoppingError } from '../errors.js';
import type { FaceDetector } from '../faces/face-detector.js';
import { type FaceMode, type FaceTrack, findFaces } from '../faces/find-faces.js';
import { encodeJpeg } from '../media/decode-image.js';
import { loadFrames } from '../media/load-frames.js';
import type { Frame, MediaItem } from '../media/media-item.js';
import type { ClipAnnotation, Strategy } from '../strategies/strategy.js';
import { normaliseLabel, type Taxonomy } from '../taxonomy/taxonomy.js';

/** Everything needed to label one item; built once per run. */
export interface ItemContext {
  readonly annotator: Annotator;
  readonly strategy: Strategy;
  readonly taxonomy: Taxonomy;
  readonly detector?: FaceDetector;
  readonly frameCount: number;
  readonly faceMode: FaceMode;
  readonly faceMargin?: number;
  /** Write sampled frames and face crops as JPEG under this folder, one subfolder per item. */
  readonly saveFramesDir?: string;
  readonly signal?: AbortSignal;
  /** Worker threads that run the CPU-heavy part of each item (whole items for the local model); absent: all runs here. */
  readonly workers?: ItemWorkers;
  /** The requests-in-flight limit of a paid annotator: items are labelled as many at a time as it allows. Absent for free annotators. */
  readonly requestLimit?: RequestLimit;
}

/** The CPU-heavy first half of an item: decodes its frames, finds and crops the faces, and saves them when asked. */
export async function extractItemFaces(
  item: MediaItem,
  context: Pick<ItemContext, 'frameCount' | 'detector' | 'faceMode' | 'faceMargin' | 'saveFramesDir' | 'signal'>,
): Promise<ItemFaces> {
  const frames = await loadFrames(item, context.frameCount, context.signal);
  const tracks = await findFaces(frames, context.detector, { mode: context.faceMode, margin: context.faceMargin });
  if (context.saveFramesDir) await saveFrames(saveFramesFolder(context.saveFramesDir, item.id), frames, tracks);
  return { frames, tracks };
}

/** A manifest label in the taxonomy's canonical spelling (`happiness` → `Happy`), or as given when unknown. */
function canonicalTruth(item: Pick<MediaItem, 'label'>, taxonomy: Taxonomy): string | undefined {
  return item.label === undefined ? undefined : (normaliseLabel(item.label, taxonomy) ?? item.label);
}

/** A warning for a manifest label the taxonomy does not know (kept as given in `truth`), else none. */
function truthWarnings(item: Pick<MediaItem, 'label'>, taxonomy: Taxonomy): string[] {
  if (item.label === undefined || normaliseLabel(item.label, taxonomy) !== undefined) return [];
  return [`the manifest's label "${item.label}" is not one of ${taxonomy.name} (${taxonomy.labels.join(', ')}); kept as given in truth`];
}

/** The prompt version an LLM annotator sends (from its settings identity), for rows with no answer to carry it. */
function promptVersionOf(annotator: ItemContext['annotator']): string | undefined {
  const prompt = annotator.settingsIdentity?.prompt;
  return typeof prompt === 'string' ? prompt : undefined;
}

/** The result row for an item that failed before any label (missing file, corrupt video …). */
export function failedResult(item: Pick<MediaItem, 'id' | 'path' | 'kind' | 'label'>, context: Pick<ItemContext, 'annotator' | 'strategy' | 'taxonomy'>, error: string, durationMs = 0): ClipResult {
  return {
    id: item.id, path: item.path, kind: item.kind, faceIndex: 0, truth: canonicalTruth(item, context.taxonomy), frameLabels: [], framesUsed: 0,
    faceFound: false, model: annotatorId(context.annotator), strategy: context.strategy.name, taxonomy: context.taxonomy.name,
    status: 'error', error, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, warnings: truthWarnings(item, context.taxonomy), frames: [], durationMs,
    ...(promptVersionOf(context.annotator) === undefined ? {} : { promptVersion: promptVersionOf(context.annotator) }),
  };
}

/**
 * Labels one item: samples frames, finds faces, runs the strategy per face track. Never throws for
 * a bad item: the failure becomes a result with status `error` and a message naming the file.
 */
export async function annotateItem(item: MediaItem, context: ItemContext): Promise<ClipResult[]> {
  const label = await extractItem(item, context);
  return label();
}

/** The second half of an item, from {@link extractItem}: sends its requests and makes its results. */
export type LabelItem = () => Promise<ClipResult[]>;

/**
 * The first, CPU-heavy half of {@link annotateItem}: decodes the item's frames and finds its faces,
 * and resolves to the second half, which sends the requests. A run calls the first half of later
 * items while earlier ones wait on the provider, so decoding and face detection overlap the
 * requests instead of adding to them. A bad item resolves to a second half that returns its error
 * row; only an abort or an error that stops the run rejects (either half). In the bundled model's
 * whole-item worker mode the first half does nothing and the second labels the whole item.
 */
export function extractItem(item: MediaItem, context: ItemContext): Promise<LabelItem> {
  return withItemScope(item.id, async (): Promise<LabelItem> => {
    const started = performance.now();
    const failed = (error: unknown, durationMs: number): ClipResult[] => {
      // A request put in a batch leaves the item unfinished: not an error row.
      if (context.signal?.aborted || isRunStoppingError(error) || DeferredRequestError.isInstance(error)) throw error;
      return [failedResult(item, context, describeError(error), Math.round(durationMs))];
    };
    const wholeItem = context.workers?.annotateItem;
    if (wholeItem) {
      return () => withItemScope(item.id, async () => {
        const labelStarted = performance.now();
        return wholeItem(item, context.signal).catch((error: unknown) => failed(error, performance.now() - labelStarted));
      });
    }
    let faces: ItemFaces;
    try {
      faces = await (context.workers ? context.workers.extractFaces(item, context.signal) : extractItemFaces(item, context));
    } catch (error) {
      const results = failed(error, performance.now() - started);
      return async () => results;
    }
    const extractMs = performance.now() - started;
    return () => withItemScope(item.id, async () => {
      const labelStarted = performance.now();
      // Time waiting between the halves is not the item's: its duration is the two halves' own.
      const elapsed = () => extractMs + performance.now() - labelStarted;
      try {
        return await labelFaces(item, faces, context, elapsed);
      } catch (error) {
        return failed(error, elapsed());
      }
    });
  });
}

async function labelFaces(item: MediaItem, { frames, tracks }: ItemFaces, context: ItemContext, elapsed: () => number): Promise<ClipResult[]> {
  const results: ClipResult[] = [];
  const frameWarnings = [...new Set(frames.flatMap((frame) => frame.warnings ?? []))];
  // A face whose requests went into a batch does not keep the other faces' requests out of it.
  let deferred: DeferredRequestError | undefined;
  for (const track of tracks) {
    let clip: Awaited<ReturnType<Strategy['annotateClip']>>;
    try {
      clip = await context.strategy.annotateClip({ crops: track.crops, annotator: context.annotator, taxonomy: context.taxonomy, signal: context.signal });
    } catch (error) {
      if (!DeferredRequestError.isInstance(error)) throw error;
      deferred ??= error;
      continue;
    }
    const detected = track.faceFound || track.faceDetection === 'not_applied';
    const status: ClipStatus = clip.status === 'ok' ? (detected ? 'ok' : 'no_face') : clip.status;
    results.push({
      id: item.id, path: item.path, kind: item.kind, faceIndex: track.faceIndex, truth: canonicalTruth(item, context.taxonomy),
      label: clip.label, confidence: clip.confidence, distribution: clip.distribution, frameLabels: clip.frameLabels,
      framesUsed: track.crops.length, faceFound: track.faceFound,
      ...(track.faceDetection === undefined ? {} : { faceDetection: track.faceDetection }), model: annotatorId(context.annotator),
      strategy: context.strategy.name, taxonomy: context.taxonomy.name, status, error: clip.error,
      ...(clip.abstain === undefined ? {} : { abstain: clip.abstain }),
      ...(clip.peakFrame === undefined ? {} : { peakFrame: clip.peakFrame }),
      ...(clip.hintFollowed === undefined ? {} : { hintFollowed: clip.hintFollowed }),
      rationale: clip.rationale, rawText: clip.rawText,
      actionUnits: clip.annotations.find((annotation) => annotation.label === clip.label && annotation.actionUnits?.length)?.actionUnits,
      usage: clip.usage, costUsd: costOf(clip, context.annotator),
      promptVersion: clip.promptVersion ?? promptVersionOf(context.annotator), warnings: [...clip.warnings, ...frameWarnings, ...truthWarnings(item, context.taxonomy)], frames: frameRecords(frames, track),
      durationMs: Math.round(elapsed()),
    });
  }
  if (deferred) throw deferred;
  return results;
}

/**
 * A clip's cost, or `null` when a paid answer came without one (the price is unknown). Free
 * annotators and answers the cache gave cost what they say (0).
 */
function costOf(clip: ClipAnnotation, annotator: Annotator): number | null {
  const unpriced = isMetered(annotator) && clip.annotations.some((annotation) => annotation.costUsd === undefined && annotation.cached !== true);
  return unpriced ? null : clip.costUsd;
}

function frameRecords(frames: readonly Frame[], track: FaceTrack): FrameRecord[] {
  return track.crops.map((crop) => {
    const frame = frames[crop.frameIndex];
    return {
      index: crop.frameIndex, sourceIndex: frame?.sourceIndex ?? crop.frameIndex, timeSec: frame?.timeSec, file: frame?.file,
      width: frame?.image.width, height: frame?.image.height, box: crop.box,
    };
  });
}

/**
 * The folder under `saveFramesDir` an item's frames go to: its id as nested folders, made safe so
 * no id (a manifest's `../../evil`, `/etc`, `..\..\x`) can reach outside: a backslash counts as `/`,
 * empty and `.` segments are dropped and each `..` segment becomes `__`.
 * @example saveFramesFolder('/out', 'DailyLife/Happy/0042') // '/out/DailyLife/Happy/0042'
 */
export function saveFramesFolder(saveFramesDir: string, itemId: string): string {
  const segments = itemId.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.').map((segment) => (segment === '..' ? '__' : segment));
  const root = resolve(saveFramesDir);
  const folder = resolve(root, ...(segments.length === 0 ? ['_'] : segments));
  const inside = relative(root, folder);
  // Belt and braces: the segments above cannot climb, but a platform quirk must not write elsewhere.
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || resolve(root, inside) !== folder) {
    throw new EmolabelError('invalid_input', `The item id "${itemId}" names no folder inside the \`saveFramesDir\` folder ${root}; give it another id.`);
  }
  return folder;
}

async function saveFrames(folder: string, frames: readonly Frame[], tracks: readonly FaceTrack[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const frame of frames) await writeFile(join(folder, `frame-${frame.index}.jpg`), await encodeJpeg(frame.image));
  for (const track of tracks) {
    for (const crop of track.crops) {
      if (crop.faceFound) await writeFile(join(folder, `face-${track.faceIndex}-frame-${crop.frameIndex}.jpg`), await encodeJpeg(crop.image));
    }
  }
}
