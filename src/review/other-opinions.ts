import type { OtherOpinion } from './review-priority.js';
import type { RunRecord, RunStore } from '../store/run-store.js';

/** Where an opinion applies: the media's absolute path and the face number. */
export function opinionKey(path: string, faceIndex: number): string {
  return `${path}#${faceIndex}`;
}

/**
 * Labels other annotators gave the same media: results of other runs in the store, with another
 * model and the same taxonomy, on the paths of `run` (e.g. an LLM run and a local-model run over
 * the same clips). The newest run per model counts. Keyed by {@link opinionKey}.
 */
export function collectOtherOpinions(store: RunStore, run: Pick<RunRecord, 'id' | 'model' | 'taxonomy'>): Map<string, OtherOpinion[]> {
  const opinions = new Map<string, OtherOpinion[]>();
  for (const { path, faceIndex, ...opinion } of store.listOtherModelLabels(run)) {
    const key = opinionKey(path, faceIndex);
    const list = opinions.get(key) ?? [];
    if (list.some((other) => other.model === opinion.model)) continue;
    list.push(opinion);
    opinions.set(key, list);
  }
  return opinions;
}
