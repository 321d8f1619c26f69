import { randomUUID } from 'node:crypto';
import type { LabelStudioMedia } from './label-studio-media.js';
import { clipBox } from '../faces/face-box.js';
import type { ClipResult, FrameRecord } from '../pipeline/clip-result.js';

export interface LabelStudioOptions {
  /**
   * Turns the media Label Studio is given into the URL it loads. @default local-files storage:
   * `/data/local-files/?d=<absolute path without the leading slash>`
   */
  readonly mediaUrl?: (media: LabelStudioMedia) => string;
  /** The media of each item, by id ({@link prepareLabelStudioMedia}); without one an item is shown as it was input. */
  readonly media?: ReadonlyMap<string, LabelStudioMedia>;
  /** `name` of the whole-item `Choices`; the other controls are named from it. @default 'emotion' */
  readonly fromName?: string;
}

/** One Label Studio result (a region or a classification) of a prediction or an annotation. */
export type LabelStudioResult = Record<string, unknown> & { readonly id: string; readonly type: string; readonly from_name: string; readonly to_name: string };

export interface LabelStudioTask {
  readonly data: Record<string, string | number>;
  readonly predictions: Array<{ model_version: string; score: number; result: LabelStudioResult[] }>;
}

/** Control names of the labelling config {@link labelStudioConfig} writes, from the `Choices` name. */
export const controlNames = (fromName: string) => ({
  choices: fromName,
  box: `${fromName}_box`,
  trackLabels: `${fromName}_face`,
  /** One timeline per face: face 0 keeps the short name, person N gets `_faceN`. */
  timeline: (faceIndex: number) => (faceIndex === 0 ? `${fromName}_timeline` : `${fromName}_timeline_face${faceIndex}`),
});

const defaultMediaUrl = (media: LabelStudioMedia) => `/data/local-files/?d=${encodeURI(media.path.replace(/^\/+/, ''))}`;
const resultId = () => randomUUID().replaceAll('-', '').slice(0, 10);
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The face box of a frame in percent of that frame, inside 0-100 on both axes. */
export function boxPercent(frame: FrameRecord): { x: number; y: number; width: number; height: number } | undefined {
  if (!frame.box || !frame.width || !frame.height) return undefined;
  const box = clipBox(frame.box, frame.width, frame.height);
  const x = round((box.x / frame.width) * 100);
  const y = round((box.y / frame.height) * 100);
  return { x, y, width: Math.min(100 - x, round((box.width / frame.width) * 100)), height: Math.min(100 - y, round((box.height / frame.height) * 100)) };
}

/**
 * Per-frame labels as TimelineLabels ranges (1-based, inclusive): each sampled frame stands for
 * the frames nearer to it than to its neighbours, and runs of the same label are merged.
 */
export function timelineRanges(face: ClipResult, framesCount: number | undefined): Array<{ label: string; start: number; end: number }> {
  const samples = face.frames.map((frame, index) => ({ at: frame.sourceIndex, label: face.frameLabels[index] }));
  const last = Math.max(framesCount ?? 0, ...samples.map((sample) => sample.at + 1)) - 1;
  const ranges: Array<{ label: string; start: number; end: number }> = [];
  samples.forEach((sample, index) => {
    const previous = samples[index - 1];
    const next = samples[index + 1];
    const start = previous === undefined ? 0 : Math.floor((previous.at + sample.at) / 2) + 1;
    const end = next === undefined ? last : Math.floor((sample.at + next.at) / 2);
    if (sample.label === undefined || end < start) return;
    const open = ranges[ranges.length - 1];
    if (open && open.label === sample.label && open.end === start) open.end = end + 1;
    else ranges.push({ label: sample.label, start: start + 1, end: end + 1 });
  });
  return ranges;
}

function videoResults(face: ClipResult, media: LabelStudioMedia | undefined, fromName: string): LabelStudioResult[] {
  const names = controlNames(fromName);
  const results: LabelStudioResult[] = timelineRanges(face, media?.framesCount).map((range) => ({
    id: resultId(), from_name: names.timeline(face.faceIndex), to_name: 'video', type: 'timelinelabels',
    value: { ranges: [{ start: range.start, end: range.end }], timelinelabels: [range.label] },
  }));
  const boxed = face.frames.filter((frame) => boxPercent(frame));
  if (boxed.length > 0 && face.label) {
    const fps = media?.fps;
    const framesCount = media?.framesCount ?? Math.max(...face.frames.map((frame) => frame.sourceIndex + 1));
    results.push({
      id: resultId(), from_name: names.box, to_name: 'video', type: 'videorectangle', ...(face.confidence === undefined ? {} : { score: face.confidence }),
      meta: { text: [`face ${face.faceIndex}`] },
      value: {
        framesCount,
        duration: media?.durationSec ?? (fps ? framesCount / fps : undefined),
        // The last keyframe ends the track, so the box is not carried to the end of the clip.
        sequence: boxed.map((frame, index) => ({
          frame: frame.sourceIndex + 1, enabled: index < boxed.length - 1, rotation: 0, ...boxPercent(frame),
          time: round(fps ? frame.sourceIndex / fps : (frame.timeSec ?? 0), 4),
        })),
        labels: [face.label],
      },
    });
  }
  return results;
}

function imageResult(face: ClipResult, fromName: string): LabelStudioResult | undefined {
  const frame = face.frames.find((each) => boxPercent(each));
  const value = frame && boxPercent(frame);
  if (!frame || !value || !face.label) return undefined;
  return {
    id: resultId(), from_name: controlNames(fromName).box, to_name: 'image', type: 'rectanglelabels',
    original_width: frame.width, original_height: frame.height, image_rotation: 0, ...(face.confidence === undefined ? {} : { score: face.confidence }),
    value: { ...value, rotation: 0, rectanglelabels: [face.label] },
  };
}

/** Results for one item (all its faces) as one Label Studio task with a prediction. */
function taskFor(faces: readonly ClipResult[], options: LabelStudioOptions): LabelStudioTask {
  const first = faces[0] as ClipResult;
  const fromName = options.fromName ?? 'emotion';
  const media = options.media?.get(first.id);
  const shownAs = media?.shownAs ?? (first.kind === 'video' ? 'video' : 'image');
  const source = media ?? { shownAs, path: first.kind === 'frames' ? (first.frames[0]?.file ?? first.path) : first.path, relativePath: first.id };
  const result: LabelStudioResult[] = [];
  if (first.label) {
    result.push({ id: resultId(), from_name: fromName, to_name: shownAs, type: 'choices', ...(first.confidence === undefined ? {} : { score: first.confidence }), value: { choices: [first.label] } });
  }
  for (const face of faces) {
    if (shownAs === 'video') result.push(...videoResults(face, media, fromName));
    else {
      const box = imageResult(face, fromName);
      if (box) result.push(box);
    }
  }
  const timing: Record<string, number> = shownAs === 'video' && media?.fps !== undefined
    ? { fps: round(media.fps, 4), framesCount: media.framesCount ?? 0, duration: round(media.durationSec ?? 0, 4) }
    : {};
  return {
    data: { [shownAs]: (options.mediaUrl ?? defaultMediaUrl)(source), id: first.id, ...timing },
    predictions: result.length === 0 ? [] : [{ model_version: `${first.model} ${first.strategy}${first.promptVersion ? ` ${first.promptVersion}` : ''}`, score: first.confidence ?? 0, result }],
  };
}

/**
 * Results as Label Studio import tasks: one task per item with a whole-item `choices` prediction
 * (its `score` is the confidence); for clips, one timeline of per-frame `timelinelabels` ranges and
 * one tracked `videorectangle` per face, and `fps`, `framesCount` and `duration` in the task data;
 * for images, each face as `rectanglelabels`. Boxes are in percent of the frame, inside 0-100.
 */
export function toLabelStudioTasks(results: readonly ClipResult[], options: LabelStudioOptions = {}): LabelStudioTask[] {
  const byItem = new Map<string, ClipResult[]>();
  for (const result of results) byItem.set(result.id, [...(byItem.get(result.id) ?? []), result]);
  return [...byItem.values()].map((items) => taskFor(items, options));
}
