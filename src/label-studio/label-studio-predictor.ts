import PQueue from 'p-queue';
import { parseLabelingConfig, planPredictions, type PredictionPlan } from './labeling-config.js';
import { type BackendPrediction, type ClipTiming, predictionFor } from './prediction-results.js';
import { fetchTaskMedia, type TaskMediaOptions } from './task-media.js';
import { describeError } from '../errors.js';
import { probeVideo } from '../media/probe-video.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import { runAnnotation, type RunSession } from '../runs/run-annotation.js';
import { runFingerprint, type RunSpec } from '../runs/run-spec.js';
import { resolveTaxonomy } from '../taxonomy/load-taxonomy.js';

/** A task as Label Studio sends it to `/predict`. */
export interface LabelStudioTaskInput {
  readonly id?: number | string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface LabelStudioPredictorOptions {
  /** What each run is (model, strategy, taxonomy, frames, faces …); `inputs` are the tasks' media. */
  readonly spec: RunSpec;
  /** The run store and how runs go (cache, budget, rate limits …). */
  readonly session: RunSession;
  readonly media: TaskMediaOptions;
  /** Told about each task that got no prediction, and why. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Predicts Label Studio tasks with any emolabel annotator. Each `/predict` is one stored run of the
 * tasks' media through `runAnnotation`, so the response cache, the budget and the request log
 * apply; media already predicted with the same spec are answered from the finished run's stored
 * results, with no request and no model work. Requests are served one at a time (one lease each).
 */
export class LabelStudioPredictor {
  private readonly queue = new PQueue({ concurrency: 1 });
  /** The `model_version` predictions carry: the annotator and the strategy. */
  readonly modelVersion: string;

  constructor(private readonly options: LabelStudioPredictorOptions) {
    this.modelVersion = `emolabel ${options.spec.model} ${options.spec.strategy}`;
  }

  /** What a config asks of emolabel; throws `invalid_option` for one it cannot serve. */
  plan(labelConfig: string): PredictionPlan {
    return planPredictions(parseLabelingConfig(labelConfig), resolveTaxonomy(this.options.spec.taxonomyFile ?? this.options.spec.taxonomy));
  }

  /** One prediction per task, in task order; a task whose media cannot be read gets an empty one. */
  predict(tasks: readonly LabelStudioTaskInput[], labelConfig: string): Promise<BackendPrediction[]> {
    const plan = this.plan(labelConfig);
    return this.queue.add(() => this.predictNow(tasks, plan)) as Promise<BackendPrediction[]>;
  }

  private async predictNow(tasks: readonly LabelStudioTaskInput[], plan: PredictionPlan): Promise<BackendPrediction[]> {
    const empty: BackendPrediction = { model_version: this.modelVersion, score: 0, result: [] };
    const paths = await Promise.all(tasks.map(async (task) => {
      const url = task.data[plan.object.dataKey];
      if (typeof url !== 'string' || url === '') {
        this.options.onWarning?.(`task ${task.id ?? '?'}: its data has no \`${plan.object.dataKey}\` (the config's <${plan.object.tag} value="$${plan.object.dataKey}">); no prediction.`);
        return undefined;
      }
      try {
        return await fetchTaskMedia(url, this.options.media);
      } catch (error) {
        this.options.onWarning?.(`task ${task.id ?? '?'}: ${describeError(error)}; no prediction.`);
        return undefined;
      }
    }));
    const inputs = [...new Set(paths.filter((path): path is string => path !== undefined))].sort();
    if (inputs.length === 0) return tasks.map(() => empty);
    const byPath = groupByPath(await this.resultsFor(inputs));
    const timings = new Map<string, ClipTiming | undefined>();
    return Promise.all(tasks.map(async (task, index) => {
      const path = paths[index];
      const faces = path === undefined ? undefined : byPath.get(path);
      if (path === undefined || faces === undefined) return empty;
      const failed = faces.find((face) => face.status === 'error' || face.status === 'refused');
      if (failed) {
        this.options.onWarning?.(`task ${task.id ?? '?'}: ${failed.error ?? failed.status}; no prediction.`);
        return empty;
      }
      if (plan.object.tag === 'Video' && !timings.has(path)) timings.set(path, await probeVideo(path).then((info) => ({ fps: info.fps, framesCount: info.frameCount, durationSec: info.durationSec }), () => undefined));
      return predictionFor(faces, plan, timings.get(path), this.modelVersion);
    }));
  }

  private async resultsFor(inputs: readonly string[]): Promise<ClipResult[]> {
    const spec: RunSpec = { ...this.options.spec, inputs: [...inputs] };
    const { store } = this.options.session;
    const finished = store.latestFinishedRun(runFingerprint(spec));
    if (finished !== undefined && finished.failed === 0) return store.getResults(finished.id);
    return (await runAnnotation(spec, this.options.session)).results;
  }
}

function groupByPath(results: readonly ClipResult[]): Map<string, ClipResult[]> {
  const byPath = new Map<string, ClipResult[]>();
  for (const result of results) byPath.set(result.path, [...(byPath.get(result.path) ?? []), result]);
  return byPath;
}
