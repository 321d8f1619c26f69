import type { AnnotatorCapabilities } from '../../annotators/annotator.js';
import type { Strategy } from '../../strategies/strategy.js';
import type { ClipResult } from '../clip-result.js';
import type { ItemFaces } from '../item-faces.js';
import { type ErrorData, errorFromData, errorToData } from '../../errors.js';
import type { FaceMode } from '../../faces/find-faces.js';
import type { MediaItem } from '../../media/media-item.js';
import type { RgbImage } from '../../media/rgb-image.js';
import type { Taxonomy } from '../../taxonomy/taxonomy.js';

/**
 * What a worker does with each item. `annotate`: the whole item (frames, faces, an annotator that
 * can be rebuilt in a worker, the strategy), returning its result rows. `extract`: only frames and face crops, returned
 * for the strategy and annotator on the main thread (LLM annotators hold HTTP clients, caches and
 * budgets that cannot move to a worker).
 */
export type ItemWorkerMode = 'annotate' | 'extract';

/** The serialisable part of an item context, given to every worker of a pool once, at start. */
export type ItemWorkerSettings = {
  readonly frameCount: number;
  readonly faceMode: FaceMode;
  readonly faceMargin?: number;
  readonly saveFramesDir?: string;
} & (
  | { readonly mode: 'extract' }
  | {
      readonly mode: 'annotate';
      readonly taxonomy: Taxonomy;
      /** How the worker rebuilds the annotator: its `capabilities.worker`. */
      readonly annotator: NonNullable<AnnotatorCapabilities['worker']>;
      /** How the worker imports the strategy: its `worker`. */
      readonly strategy: NonNullable<Strategy['worker']>;
    }
);

/** Main thread → worker. */
export type WorkerRequest =
  | { readonly type: 'task'; readonly taskId: number; readonly item: MediaItem }
  | { readonly type: 'abort'; readonly taskId: number };

/** An error as it crosses the thread boundary: its class, message and every field. */
export type SerialisedError = ErrorData;

/** Worker → main thread. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'results'; readonly taskId: number; readonly results: ClipResult[] }
  | { readonly type: 'faces'; readonly taskId: number; readonly faces: ItemFaces }
  | { readonly type: 'error'; readonly taskId: number; readonly error: SerialisedError };

/** An error as data for the main thread, every field kept. */
export const serialiseError = errorToData;

/** The thrown value the main thread sees: the same emolabel error class with the same fields, or an `Error` with the same name. */
export const deserialiseError = errorFromData;

function imagesOf(faces: ItemFaces): RgbImage[] {
  return [...faces.frames.map((frame) => frame.image), ...faces.tracks.flatMap((track) => track.crops.map((crop) => crop.image))];
}

/**
 * The pixel buffers to move (not copy) with a reply: each distinct ArrayBuffer that belongs to one
 * image alone. Node copies the ones it cannot move (memory allocated by a native library such as
 * sharp, or Node's shared pool) instead of failing.
 */
export function transferablePixels(faces: ItemFaces): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of imagesOf(faces)) {
    if (data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) buffers.add(data.buffer);
  }
  return [...buffers];
}

/** Structured cloning turns Buffers into plain Uint8Arrays: make them Buffers again (views, no copy). */
export function reviveFaces(faces: ItemFaces): ItemFaces {
  const revive = (image: RgbImage): RgbImage => ({ ...image, data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength) });
  return {
    frames: faces.frames.map((frame) => ({ ...frame, image: revive(frame.image) })),
    tracks: faces.tracks.map((track) => ({ ...track, crops: track.crops.map((crop) => ({ ...crop, image: revive(crop.image) })) })),
  };
}
