import { clipWindow } from './review-clip.js';
import { isFrameMissing } from './review-media.js';
import type { ReviewQueueItem } from './review-queue.js';
import type { ActionUnitObservation, Usage } from '../annotators/annotator.js';
import { clipBox, type FaceBox } from '../faces/face-box.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import type { Distribution } from '../taxonomy/taxonomy.js';

/** One sampled frame as the page shows it. */
export interface ReviewFrame {
  /** Position in the result's frames: the `frame` parameter of the media URLs. */
  readonly position: number;
  readonly sourceIndex: number;
  readonly timeSec?: number;
  /** The face box in the frame's pixels, clipped to the frame (results stored before boxes were clipped reach past it). */
  readonly box?: FaceBox;
  /** Size of the frame the box is measured in; the served image may be larger (a video frame at full size). */
  readonly width?: number;
  readonly height?: number;
  /** The label the model gave this frame, when the strategy labels frames. */
  readonly label?: string;
  readonly frameUrl: string;
  readonly cropUrl?: string;
  /** The file is gone: the page shows a placeholder. */
  readonly missing: boolean;
}

/** Everything the page shows about one queue item. */
export interface ReviewDetail extends ReviewQueueItem {
  readonly distribution?: Distribution;
  readonly frames: readonly ReviewFrame[];
  /** A video's stretch around its sampled frames (WebM), and the clip time its start is at. */
  readonly clip?: { readonly url: string; readonly startSec: number };
  readonly rationale?: string;
  readonly rawText?: string;
  readonly actionUnits?: readonly ActionUnitObservation[];
  readonly error?: string;
  readonly usage: Usage;
  /** `null` when the price of a paid request behind it is unknown. */
  readonly costUsd: number | null;
  readonly model: string;
  readonly strategy: string;
  readonly promptVersion?: string;
  readonly warnings: readonly string[];
}

/** Action units a result carries (LLM annotators with the `au-cot` prompt), when it carries them. */
export function actionUnitsOf(result: ClipResult): readonly ActionUnitObservation[] | undefined {
  const units = (result as ClipResult & { actionUnits?: unknown }).actionUnits;
  if (!Array.isArray(units)) return undefined;
  return units.filter((unit): unit is ActionUnitObservation => typeof unit === 'object' && unit !== null && typeof (unit as { unit?: unknown }).unit === 'string');
}

/** The media URL of a frame or crop of an item: addressed by item, face and frame position, never by path. */
export function mediaUrl(what: 'frame' | 'crop' | 'clip', itemId: string, faceIndex: number, position = 0): string {
  const query = new URLSearchParams({ item: itemId, face: String(faceIndex), frame: String(position) });
  return `/media/${what}?${query.toString()}`;
}

/** Builds the page's view of one result and its queue entry. */
export function buildReviewDetail(result: ClipResult, entry: ReviewQueueItem): ReviewDetail {
  const frames = result.frames.map((frame, position): ReviewFrame => {
    const label = result.frameLabels[position];
    return {
      position, sourceIndex: frame.sourceIndex,
      ...(frame.timeSec === undefined ? {} : { timeSec: frame.timeSec }),
      ...(frame.width === undefined || frame.height === undefined ? {} : { width: frame.width, height: frame.height }),
      ...(frame.box ? { box: frame.width && frame.height ? clipBox(frame.box, frame.width, frame.height) : frame.box, cropUrl: mediaUrl('crop', result.id, result.faceIndex, position) } : {}),
      ...(label === undefined ? {} : { label }),
      frameUrl: mediaUrl('frame', result.id, result.faceIndex, position),
      missing: isFrameMissing(result, frame),
    };
  });
  const actionUnits = actionUnitsOf(result);
  const missing = frames.some((frame) => frame.missing);
  return {
    ...entry,
    frames,
    ...(result.kind === 'video' && !missing ? { clip: { url: mediaUrl('clip', result.id, result.faceIndex), startSec: clipWindow(result).startSec } } : {}),
    usage: result.usage,
    costUsd: result.costUsd,
    model: result.model,
    strategy: result.strategy,
    warnings: result.warnings,
    ...(result.distribution ? { distribution: result.distribution } : {}),
    ...(result.rationale ? { rationale: result.rationale } : {}),
    ...(result.rawText ? { rawText: result.rawText } : {}),
    ...(actionUnits && actionUnits.length > 0 ? { actionUnits } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.promptVersion ? { promptVersion: result.promptVersion } : {}),
  };
}
