import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Annotator } from '../../../src/annotators/annotator.js';
import type { MediaItem } from '../../../src/media/media-item.js';
import { annotate } from '../../../src/pipeline/annotate.js';
import type { ClipResult } from '../../../src/pipeline/clip-result.js';
import { RunStore } from '../../../src/store/run-store.js';
import { basic7 } from '../../../src/taxonomy/taxonomy.js';
import { demoFace } from '../../support/demo-faces.js';
import { loadFacesDev } from '../../support/faces-dev.js';
import { makeClipFromStill, makeFrameFolder } from '../../support/make-clips.js';

/** What {@link makeReviewInputs} wrote: the folder to annotate, and what is in it. */
export interface ReviewInputs {
  readonly root: string;
  /** faces-dev images copied in, with their gold labels (empty when faces-dev is absent). */
  readonly facesDev: ReadonlyArray<{ id: string; label: string }>;
  readonly facesDevMissing?: string;
}

/**
 * A folder of real faces covering every media kind: faces-dev photos (when present), a group photo
 * (several faces), a video and a frame folder made from a demo photo, and a text file named .jpg
 * (an item that fails).
 */
export async function makeReviewInputs(dir: string, facesDevCount = 6): Promise<ReviewInputs> {
  const root = join(dir, 'inputs');
  mkdirSync(join(root, 'frames'), { recursive: true });
  const facesDev = loadFacesDev();
  const picked: Array<{ id: string; label: string }> = [];
  if ('images' in facesDev) {
    // Spread over the file so several classes appear.
    const step = Math.max(1, Math.floor(facesDev.images.length / facesDevCount));
    for (let index = 0; index < facesDevCount && index * step < facesDev.images.length; index += 1) {
      const image = facesDev.images[index * step];
      if (!image) continue;
      copyFileSync(image.path, join(root, basename(image.path)));
      picked.push({ id: basename(image.path).replace(/\.[^.]+$/, ''), label: image.label });
    }
  }
  copyFileSync(demoFace(1), join(root, 'group.jpg'));
  await makeClipFromStill(demoFace(2), join(root, 'clip.mp4'), { seconds: 1, fps: 12, width: 640, height: 456 });
  makeFrameFolder(demoFace(3), join(root, 'frames/0001'), 5);
  writeFileSync(join(root, 'broken.jpg'), 'not an image');
  return { root, facesDev: picked, ...('missing' in facesDev ? { facesDevMissing: facesDev.missing } : {}) };
}

/** Saves results as a run in `store`, the way a stored annotate run keeps them. */
export function saveRun(store: RunStore, results: readonly ClipResult[], inputs: readonly string[], run: { model: string; strategy?: string }): string {
  const created = store.createRun({
    fingerprint: `test-${run.model}-${Date.now()}`, inputs, options: { frames: 4, faces: 'all' },
    model: run.model, strategy: run.strategy ?? 'frame', taxonomy: 'basic7', labels: basic7.labels,
  });
  const items = new Map<string, MediaItem>();
  for (const result of results) items.set(result.id, { id: result.id, path: result.path, kind: result.kind });
  store.registerItems(created.id, [...items.values()]);
  for (const item of items.values()) store.saveItemResults(created.id, item.id, results.filter((result) => result.id === item.id));
  store.setStatus(created.id, 'done');
  return created.id;
}

/** A run store at `dbPath` holding a local-model run over `inputs.root` (every face of each item). */
export async function makeReviewRun(dbPath: string, inputs: ReviewInputs, annotator?: Annotator): Promise<{ runId: string; results: ClipResult[] }> {
  const { results } = await annotate([inputs.root], { frames: 4, clipFolders: true, faces: 'all', ...(annotator ? { annotator } : {}) });
  const store = RunStore.open(dbPath);
  try {
    const runId = saveRun(store, results, [inputs.root], { model: results.find((result) => result.status === 'ok')?.model ?? 'local:face-api' });
    return { runId, results };
  } finally {
    store.close();
  }
}
