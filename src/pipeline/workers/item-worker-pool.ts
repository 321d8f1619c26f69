// sharp must be loaded by the main thread before any worker loads it: on glibc its shared libraries
// would otherwise be unloaded when the first worker exits, crashing the others (sharp issue #2263).
import 'sharp';
import { Worker } from 'node:worker_threads';
import { siblingModule, startWorkerThread } from './start-worker-thread.js';
import { deserialiseError, type ItemWorkerSettings, reviveFaces, type WorkerReply, type WorkerRequest } from './worker-protocol.js';
import type { ClipResult } from '../clip-result.js';
import type { ItemFaces } from '../item-faces.js';
import { EmolabelError } from '../../errors.js';
import type { MediaItem } from '../../media/media-item.js';

/** The CPU-heavy part of items, run on worker threads. What `ItemContext.workers` holds. */
export interface ItemWorkers {
  /** Worker threads running now: 0 before the first item and after `close()`. */
  readonly size: number;
  /**
   * Items to keep in flight so no worker waits (`annotate` mode: two per worker, one decoding while
   * the other computes); undefined in `extract` mode, where the annotator's concurrency decides.
   */
  readonly itemsInFlight?: number;
  /**
   * Labels a whole item on a worker (frames, faces, the bundled local model, the strategy). Present
   * only in `annotate` mode. Rejects only when the worker died (the item's error row is then made
   * by the caller) or when `signal` aborted.
   */
  readonly annotateItem?: (item: MediaItem, signal?: AbortSignal) => Promise<ClipResult[]>;
  /** Decodes an item's frames and finds and crops its faces on a worker; rejects with the error the main thread would have thrown. */
  extractFaces(item: MediaItem, signal?: AbortSignal): Promise<ItemFaces>;
  /** Stops every worker; pending items reject. Idle workers never keep the process alive, even unclosed. */
  close(): Promise<void>;
}

export interface ItemWorkerPoolOptions {
  /** Most worker threads; they start as items come, one model each. */
  readonly size: number;
  /** The worker module (tests wrap it to make a worker die). @default item-worker beside this file */
  readonly entry?: URL;
}

/** Whole items a worker holds at once: while one waits on its decode (sharp, ffmpeg, file reads), the other computes. */
const ITEMS_PER_WORKER = 2;

interface PendingTask {
  readonly item: MediaItem;
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (error: unknown) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly tasks: Map<number, PendingTask>;
  ready: boolean;
}

/**
 * A pool of worker threads for the item pipeline, each with its own TF.js WASM runtime and face-api
 * model (WASM runs single-threaded, so threads are how a run uses more than one core). Items go to
 * the worker with the fewest items in flight. A worker that dies fails only its items in flight and
 * is replaced for the next ones; a worker that cannot start at all fails every item with the reason.
 */
export function createItemWorkerPool(settings: ItemWorkerSettings, options: ItemWorkerPoolOptions): ItemWorkers {
  const workerModule = options.entry ?? siblingModule('item-worker', import.meta.url);
  const workers = new Set<PoolWorker>();
  let nextTaskId = 0;
  let closed = false;
  let startFailure: Error | undefined;

  function settle(entry: PoolWorker, taskId: number, settleTask: (task: PendingTask) => void): void {
    const task = entry.tasks.get(taskId);
    if (task === undefined) return;
    entry.tasks.delete(taskId);
    // A worker with nothing to do must not keep the process alive.
    if (entry.tasks.size === 0) entry.worker.unref();
    settleTask(task);
  }

  function retire(entry: PoolWorker, reason: string): void {
    if (!workers.delete(entry)) return;
    if (!entry.ready && !closed) {
      startFailure ??= new EmolabelError('model_error', `A worker thread could not start (${reason}); set \`workers\` to 1 to label on the main thread.`);
    }
    for (const taskId of [...entry.tasks.keys()]) {
      settle(entry, taskId, (task) => task.reject(startFailure ?? new EmolabelError(
        'model_error',
        `${task.item.path}: the worker thread labelling it stopped (${reason}); a new worker takes the next items.`,
        { path: task.item.path },
      )));
    }
  }

  function spawn(): PoolWorker {
    const entry: PoolWorker = { worker: startWorkerThread(workerModule, settings), tasks: new Map(), ready: false };
    entry.worker.unref();
    entry.worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') entry.ready = true;
      else settle(entry, reply.taskId, (task) => (reply.type === 'error' ? task.reject(deserialiseError(reply.error)) : task.resolve(reply)));
    });
    entry.worker.on('error', (error) => retire(entry, error.message));
    entry.worker.on('exit', (code) => retire(entry, `exit code ${code}`));
    workers.add(entry);
    return entry;
  }

  /** The least busy worker, or a new one while the pool is below its size and every worker is busy. */
  function pickWorker(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const entry of workers) if (best === undefined || entry.tasks.size < best.tasks.size) best = entry;
    if (best === undefined || (best.tasks.size > 0 && workers.size < options.size)) return spawn();
    return best;
  }

  function run(item: MediaItem, signal: AbortSignal | undefined): Promise<WorkerReply> {
    if (closed) return Promise.reject(new EmolabelError('aborted', `${item.path}: the worker pool is closed.`, { path: item.path }));
    if (startFailure) return Promise.reject(startFailure);
    signal?.throwIfAborted();
    const entry = pickWorker();
    const taskId = (nextTaskId += 1);
    const abort = () => entry.worker.postMessage({ type: 'abort', taskId } satisfies WorkerRequest);
    return new Promise<WorkerReply>((resolve, reject) => {
      if (entry.tasks.size === 0) entry.worker.ref();
      entry.tasks.set(taskId, { item, resolve, reject });
      signal?.addEventListener('abort', abort, { once: true });
      entry.worker.postMessage({ type: 'task', taskId, item } satisfies WorkerRequest);
    }).finally(() => signal?.removeEventListener('abort', abort));
  }

  return {
    get size() {
      return workers.size;
    },
    itemsInFlight: settings.mode === 'annotate' ? ITEMS_PER_WORKER * options.size : undefined,
    annotateItem: settings.mode === 'annotate'
      ? async (item, signal) => {
          const reply = await run(item, signal);
          if (reply.type !== 'results') throw new Error(`Expected a results reply from the item worker, got ${reply.type}.`);
          return reply.results;
        }
      : undefined,
    async extractFaces(item, signal) {
      const reply = await run(item, signal);
      if (reply.type !== 'faces') throw new Error(`Expected a faces reply from the item worker, got ${reply.type}.`);
      return reviveFaces(reply.faces);
    },
    async close() {
      closed = true;
      const stopping = [...workers];
      for (const entry of stopping) retire(entry, 'the pool was closed');
      await Promise.all(stopping.map((entry) => entry.worker.terminate()));
    },
  };
}
