import { clipBox, expandBox, type FaceBox } from './face-box.js';
import type { FaceDetector } from './face-detector.js';
import { trackFaces } from './track-faces.js';
import { cropImage, limitImageSize } from './transform-image.js';
import type { Frame } from '../media/media-item.js';
import type { RgbImage } from '../media/rgb-image.js';

/**
 * Margin around a face box: none, the box as the detector drew it (as face-api crops for its
 * expression net). 0.1 made face-api's demo sample1.jpg Sad 0.95 instead of Happy 0.94 and scored
 * lower on faces-dev and held-out photos (bench/local-model-accuracy.ts, docs/local-model.md).
 */
export const DEFAULT_FACE_MARGIN = 0;

/** `largest`: the biggest face of each frame; `all`: every face, tracked across frames; `none`: whole frames. */
export type FaceMode = 'largest' | 'all' | 'none';

/** The image an annotator sees for one frame: a face crop, or the whole frame when no face was found. */
export interface FaceCrop {
  /** Index of the frame among the sampled frames. */
  readonly frameIndex: number;
  readonly faceFound: boolean;
  /** The detected box in frame pixels (before the margin, clipped to the frame), when a face was found. */
  readonly box?: FaceBox;
  readonly image: RgbImage;
}

/** One person across the frames of an item (or the whole frames when no face was found). */
export interface FaceTrack {
  /** 0 for the largest face or a single face; with `--faces all`, the person's number. */
  readonly faceIndex: number;
  readonly faceFound: boolean;
  /** `not_applied` when no detector ran (`faces: 'none'`, or no detector given): whole frames by choice, not a missed face. */
  readonly faceDetection?: 'not_applied';
  readonly crops: FaceCrop[];
}

export interface FindFacesOptions {
  /** @default 'largest' */
  readonly mode?: FaceMode;
  /** Added around each face box, as a fraction of its size. @default 0 */
  readonly margin?: number;
  /** Longest side of a whole-frame fallback image. @default 1024 */
  readonly maxFallbackSide?: number;
}

/**
 * Detects faces in sampled frames and crops them. Frames without a face are dropped from a track;
 * when no frame has a face, the whole frames become one track with `faceFound: false`. Without
 * detection (`mode: 'none'` or no detector) the whole frames are one track marked `faceDetection: 'not_applied'`.
 */
export async function findFaces(frames: readonly Frame[], detector: FaceDetector | undefined, options: FindFacesOptions = {}): Promise<FaceTrack[]> {
  const mode = options.mode ?? 'largest';
  const margin = options.margin ?? DEFAULT_FACE_MARGIN;
  const wholeFrames = async (detection?: 'not_applied'): Promise<FaceTrack[]> => [{
    faceIndex: 0,
    faceFound: false,
    ...(detection === undefined ? {} : { faceDetection: detection }),
    crops: await Promise.all(frames.map(async (frame) => ({
      frameIndex: frame.index, faceFound: false, image: await limitImageSize(frame.image, options.maxFallbackSide ?? 1024),
    }))),
  }];
  if (mode === 'none' || detector === undefined) return wholeFrames('not_applied');

  const boxesPerFrame: FaceBox[][] = [];
  for (const frame of frames) {
    const boxes = await detector.detect(frame.image);
    boxesPerFrame.push(mode === 'largest' ? boxes.slice(0, 1) : boxes);
  }
  if (boxesPerFrame.every((boxes) => boxes.length === 0)) return wholeFrames();

  const trackNumbers = mode === 'largest' ? boxesPerFrame.map((boxes) => boxes.map(() => 0)) : trackFaces(boxesPerFrame);
  const tracks = new Map<number, FaceCrop[]>();
  for (const [frameIndex, boxes] of boxesPerFrame.entries()) {
    const frame = frames[frameIndex];
    if (frame === undefined) continue;
    for (const [boxIndex, box] of boxes.entries()) {
      const region = expandBox(box, margin, frame.image.width, frame.image.height);
      // The crop grows from the detector's own box; the box kept (stored, exported, drawn) is the part inside the frame.
      const kept = clipBox(box, frame.image.width, frame.image.height);
      const crop: FaceCrop = { frameIndex: frame.index, faceFound: true, box: kept, image: await cropImage(frame.image, region) };
      const track = trackNumbers[frameIndex]?.[boxIndex] ?? 0;
      tracks.set(track, [...(tracks.get(track) ?? []), crop]);
    }
  }
  return [...tracks.entries()].sort(([a], [b]) => a - b).map(([faceIndex, crops]) => ({ faceIndex, faceFound: true, crops }));
}
