/**
 * A worker thread of the item worker pool: one model (e.g. face-api on TF.js WASM, single-threaded)
 * per worker. Started by item-worker-pool.ts with its settings as `workerData`; takes one item per
 * `task` message and answers with result rows (`annotate` mode) or frames and face crops
 * (`extract` mode, pixels moved with the reply). An `abort` message aborts that item's signal.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type WorkerReply, type WorkerRequest, type ItemWorkerSettings, serialiseError, transferablePixels } from './worker-protocol.js';
import { annotateItem, extractItemFaces, type ItemContext } from '../annotate-item.js';
import type { Annotator } from '../../annotators/annotator.js';
import { loadFaceApi } from '../../faces/face-api-runtime.js';
import { createTinyFaceDetector } from '../../faces/tiny-face-detector.js';
import type { MediaItem } from '../../media/media-item.js';
import type { Strategy } from '../../strategies/strategy.js';

const port = parentPort;
if (port === null) throw new Error('item-worker runs only as a worker thread started by the item worker pool.');

const settings = workerData as ItemWorkerSettings;
const faceSettings = {
  detector: settings.faceMode === 'none' ? undefined : createTinyFaceDetector(),
  frameCount: settings.frameCount,
  faceMode: settings.faceMode,
  faceMargin: settings.faceMargin,
  saveFramesDir: settings.saveFramesDir,
};
/** The export `name` of the module at `url`, which must be a function or an object as asked. */
async function importExport(url: string, name: string): Promise<unknown> {
  const module = (await import(url)) as Record<string, unknown>;
  if (!(name in module)) throw new Error(`${url} has no export \`${name}\` for a worker thread to use.`);
  return module[name];
}

// Only `annotate` mode labels here, so only it needs an annotator and a strategy, rebuilt from what they declare.
const annotateContext: ItemContext | undefined = settings.mode === 'annotate'
  ? {
      ...faceSettings,
      annotator: ((await importExport(settings.annotator.module, settings.annotator.exportName)) as (settings: unknown) => Annotator)(settings.annotator.settings),
      strategy: (await importExport(settings.strategy.module, settings.strategy.exportName)) as Strategy,
      taxonomy: settings.taxonomy,
    }
  : undefined;
const controllers = new Map<number, AbortController>();

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

async function runTask(taskId: number, item: MediaItem): Promise<void> {
  const controller = new AbortController();
  controllers.set(taskId, controller);
  try {
    if (annotateContext) {
      reply({ type: 'results', taskId, results: await annotateItem(item, { ...annotateContext, signal: controller.signal }) });
    } else {
      const faces = await extractItemFaces(item, { ...faceSettings, signal: controller.signal });
      reply({ type: 'faces', taskId, faces }, transferablePixels(faces));
    }
  } catch (error) {
    reply({ type: 'error', taskId, error: serialiseError(error) });
  } finally {
    controllers.delete(taskId);
  }
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'abort') controllers.get(request.taskId)?.abort();
  else void runTask(request.taskId, request.item);
});

// Start loading the model while the main thread is still discovering inputs; a load failure is
// reported by the first item that needs the model (loadFaceApi retries then).
if (settings.mode === 'annotate' || settings.faceMode !== 'none') loadFaceApi().catch(() => undefined);
reply({ type: 'ready' });
