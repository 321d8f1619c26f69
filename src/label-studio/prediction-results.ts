import { randomUUID } from 'node:crypto';
import type { PredictionPlan, ServedControlPlan } from './labeling-config.js';
import { boxPercent, type LabelStudioResult, timelineRanges } from '../output/label-studio-tasks.js';
import type { ClipResult } from '../pipeline/clip-result.js';

/** A clip's timing, for frame numbers and track times. */
export interface ClipTiming {
  readonly fps: number;
  readonly framesCount: number;
  readonly durationSec: number;
}

/** One task's prediction as the ML backend protocol returns it. */
export interface BackendPrediction {
  readonly model_version: string;
  readonly score: number;
  readonly result: LabelStudioResult[];
}

const resultId = () => randomUUID().replaceAll('-', '').slice(0, 10);
const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;
const scoreOf = (face: ClipResult) => (face.confidence === undefined ? {} : { score: round(face.confidence) });

/**
 * The config's label for one of emolabel's: mapped directly, else the most probable of the labels
 * the config has (a config without `Neutral` still gets its best other guess).
 */
function configLabel(label: string | undefined, face: Pick<ClipResult, 'distribution'>, control: ServedControlPlan): string | undefined {
  if (label === undefined) return undefined;
  const direct = control.labelMap.get(label);
  if (direct !== undefined) return direct;
  const ranked = Object.entries(face.distribution ?? {}).filter(([ours]) => control.labelMap.has(ours)).sort((a, b) => b[1] - a[1]);
  return ranked[0] === undefined ? undefined : control.labelMap.get(ranked[0][0]);
}

function choices(faces: readonly ClipResult[], control: ServedControlPlan): LabelStudioResult[] {
  const first = faces[0];
  const label = first && configLabel(first.label, first, control);
  if (!first || !label) return [];
  return [{ id: resultId(), from_name: control.name, to_name: control.toName, type: 'choices', ...scoreOf(first), value: { choices: [label] } }];
}

function rectangles(faces: readonly ClipResult[], control: ServedControlPlan): LabelStudioResult[] {
  return faces.flatMap((face) => {
    const frame = face.frames.find((each) => boxPercent(each));
    const box = frame && boxPercent(frame);
    const label = configLabel(face.label, face, control);
    if (!frame || !box || !label) return [];
    return [{
      id: resultId(), from_name: control.name, to_name: control.toName, type: 'rectanglelabels', ...scoreOf(face),
      original_width: frame.width, original_height: frame.height, image_rotation: 0,
      value: { ...box, rotation: 0, rectanglelabels: [label] },
    }];
  });
}

function tracks(faces: readonly ClipResult[], control: ServedControlPlan, timing: ClipTiming | undefined): LabelStudioResult[] {
  return faces.flatMap((face) => {
    const boxed = face.frames.filter((frame) => boxPercent(frame));
    const label = configLabel(face.label, face, control);
    if (boxed.length === 0 || !label) return [];
    const framesCount = timing?.framesCount ?? Math.max(...face.frames.map((frame) => frame.sourceIndex + 1));
    return [{
      id: resultId(), from_name: control.name, to_name: control.toName, type: 'videorectangle', ...scoreOf(face),
      value: {
        framesCount, duration: timing?.durationSec,
        sequence: boxed.map((frame, index) => ({
          frame: frame.sourceIndex + 1, enabled: index < boxed.length - 1, rotation: 0, ...boxPercent(frame),
          time: round(timing?.fps ? frame.sourceIndex / timing.fps : (frame.timeSec ?? 0)),
        })),
        labels: [label],
      },
    }];
  });
}

function timeline(face: ClipResult | undefined, control: ServedControlPlan, timing: ClipTiming | undefined): LabelStudioResult[] {
  if (face === undefined) return [];
  return timelineRanges(face, timing?.framesCount).flatMap((range) => {
    const label = configLabel(range.label, {}, control);
    return label === undefined ? [] : [{
      id: resultId(), from_name: control.name, to_name: control.toName, type: 'timelinelabels',
      value: { ranges: [{ start: range.start, end: range.end }], timelinelabels: [label] },
    }];
  });
}

/**
 * An item's results (one per face) as the prediction for a config: `Choices` get the item's label,
 * `RectangleLabels` a box per face, `VideoRectangle` a track per face (labelled from its `Labels`),
 * and the N-th `TimelineLabels` the frame labels of face N. Labels are the config's own names.
 */
export function predictionFor(faces: readonly ClipResult[], plan: PredictionPlan, timing: ClipTiming | undefined, modelVersion: string): BackendPrediction {
  const timelines = plan.controls.filter((control) => control.tag === 'TimelineLabels');
  const result = plan.controls.flatMap((control) => {
    switch (control.tag) {
      case 'Choices': return choices(faces, control);
      case 'RectangleLabels': return rectangles(faces, control);
      case 'VideoRectangle': return tracks(faces, control, timing);
      case 'TimelineLabels': return timeline(faces.find((face) => face.faceIndex === timelines.indexOf(control)) ?? (timelines.indexOf(control) === 0 ? faces[0] : undefined), control, timing);
      default: return [];
    }
  });
  return { model_version: modelVersion, score: round(faces[0]?.confidence ?? 0), result };
}
