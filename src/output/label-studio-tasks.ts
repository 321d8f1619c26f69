import { randomUUID } from 'node:crypto';
import type { ClipResult, FrameRecord } from '../pipeline/clip-result.js';

export interface LabelStudioOptions {
  /**
   * Turns a media path into the URL Label Studio loads. @default local-files storage:
   * `/data/local-files/?d=<path without the leading slash>`
   */
  readonly mediaUrl?: (path: string) => string;
  /** `from_name` of the choices / labels control in the labelling config. @default 'emotion' */
  readonly fromName?: string;
}

export interface LabelStudioTask {
  readonly data: Record<string, string>;
  readonly predictions: Array<{ model_version: string; score: number; result: Array<Record<string, unknown>> }>;
}

const percent = (value: number, total: number | undefined) => (total ? Math.round((value / total) * 100_000) / 1000 : 0);

function boxValue(frame: FrameRecord) {
  const box = frame.box;
  if (!box) return undefined;
  return { x: percent(box.x, frame.width), y: percent(box.y, frame.height), width: percent(box.width, frame.width), height: percent(box.height, frame.height) };
}

/** Results for one item (all its faces) as one Label Studio task with a prediction. */
function taskFor(results: readonly ClipResult[], options: LabelStudioOptions): LabelStudioTask {
  const first = results[0] as ClipResult;
  const fromName = options.fromName ?? 'emotion';
  const toName = first.kind === 'video' ? 'video' : 'image';
  const url = (options.mediaUrl ?? ((path: string) => `/data/local-files/?d=${encodeURI(path.replace(/^\/+/, ''))}`))(
    first.kind === 'frames' ? (first.frames[0]?.file ?? first.path) : first.path,
  );
  const result: Array<Record<string, unknown>> = [];
  if (first.label) result.push({ id: randomUUID().slice(0, 10), from_name: fromName, to_name: toName, type: 'choices', value: { choices: [first.label] } });
  for (const face of results) {
    if (!face.label) continue;
    const boxed = face.frames.filter((frame) => frame.box);
    if (first.kind === 'video') {
      face.frames.forEach((frame, index) => {
        const label = face.frameLabels[index];
        if (label) {
          result.push({ id: randomUUID().slice(0, 10), from_name: `${fromName}_timeline`, to_name: toName, type: 'timelinelabels',
            value: { ranges: [{ start: frame.sourceIndex + 1, end: frame.sourceIndex + 1 }], timelinelabels: [label] } });
        }
      });
      if (boxed.length > 0) {
        result.push({ id: randomUUID().slice(0, 10), from_name: `${fromName}_box`, to_name: toName, type: 'videorectangle', value: {
          framesCount: Math.max(...face.frames.map((frame) => frame.sourceIndex + 1)),
          sequence: boxed.map((frame) => ({ frame: frame.sourceIndex + 1, enabled: true, time: frame.timeSec ?? 0, ...boxValue(frame) })),
          labels: [face.label],
        } });
      }
    } else if (boxed[0]) {
      result.push({ id: randomUUID().slice(0, 10), from_name: `${fromName}_box`, to_name: toName, type: 'rectanglelabels',
        original_width: boxed[0].width, original_height: boxed[0].height, value: { ...boxValue(boxed[0]), rotation: 0, rectanglelabels: [face.label] } });
    }
  }
  return {
    data: { [toName]: url, id: first.id },
    predictions: result.length === 0 ? [] : [{ model_version: `${first.model} ${first.strategy}${first.promptVersion ? ` ${first.promptVersion}` : ''}`, score: first.confidence ?? 0, result }],
  };
}

/**
 * Results as Label Studio import tasks: one task per item with a whole-clip `choices` prediction
 * (its `score` is the confidence), per-frame `timelinelabels` (1-based source frame numbers) and the
 * tracked face as a `videorectangle` for videos, or the face as `rectanglelabels` for images.
 */
export function toLabelStudioTasks(results: readonly ClipResult[], options: LabelStudioOptions = {}): LabelStudioTask[] {
  const byItem = new Map<string, ClipResult[]>();
  for (const result of results) byItem.set(result.id, [...(byItem.get(result.id) ?? []), result]);
  return [...byItem.values()].map((items) => taskFor(items, options));
}
