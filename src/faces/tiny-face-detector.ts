import { loadFaceApi } from './face-api-runtime.js';
import { boxArea, type FaceBox } from './face-box.js';
import type { FaceDetector } from './face-detector.js';
import { detectTinyFaces, type InputBorder } from './tiny-face-network.js';
import { limitImageSize } from './transform-image.js';
import type { RgbImage } from '../media/rgb-image.js';

/** One run of the detector's network on an image, as told to {@link TinyFaceDetectorOptions.onPass}. */
export interface DetectionPass {
  /** `unpadded`: the image as it is, at `inputSize`; `padded`: the image in a border, at `retryInputSize`. */
  readonly kind: 'unpadded' | 'padded';
  /** Faces this pass found. */
  readonly faces: number;
  /** Wall time of the pass (scaling the image, the network, the boxes), ms. */
  readonly ms: number;
}

/**
 * Which pass runs first. `shape` (the default): the padded pass first on images shaped like a face
 * crop (see {@link looksLikeFaceCrop}), the unpadded pass first on the rest; `unpadded-first`: the
 * unpadded pass first on every image, the padded one only when it finds nothing (emolabel 0.2).
 */
export type PassOrder = 'shape' | 'unpadded-first';

export interface TinyFaceDetectorOptions {
  /** Network input size (multiple of 32); larger finds smaller faces, slower. @default 416 */
  readonly inputSize?: number;
  /** Lowest detector score kept. @default 0.4 */
  readonly minScore?: number;
  /**
   * Border added around the frame, as a fraction of its longer side, for the padded pass:
   * detectors miss faces that fill the whole image (tight crops). 0: no padded pass. @default 0.5
   */
  readonly retryPadding?: number;
  /** Network input size for the padded pass (face-api's own recipe for tight crops). @default 320 */
  readonly retryInputSize?: number;
  /** Lowest detector score kept on the padded pass. @default 0.2 */
  readonly retryMinScore?: number;
  /** Colour of the padded pass's border: black, as face-api's recipe pads. @default 'black' */
  readonly retryPadColor?: 'grey' | 'black';
  /** @default 'shape' */
  readonly passOrder?: PassOrder;
  /** Told of every network pass (the benches count and time them). */
  readonly onPass?: (pass: DetectionPass) => void;
}

/** Images whose longer side is at most this many pixels may be face crops (datasets' crops: 48-1024 px). */
export const FACE_CROP_MAX_SIDE = 1024;
/** ... and at most this much wider than tall (video frames and landscape photos are 4:3 and wider). */
export const FACE_CROP_MAX_ASPECT = 1.25;
/**
 * A face the padded pass finds at least this share of the image's longer side is what the image is
 * a crop of: the unpadded pass is skipped. Measured when this was chosen (faces-dev, the demo photos
 * and 1280x720 frames made from faces-dev): the unpadded pass found faces in 15 faces-dev crops, all
 * of which the padded pass found too, at 0.70-1.2 of the longer side; the padded pass never found a
 * face below 0.27 of it, and on the demo photos (faces at 0.14-0.17) it found none.
 */
export const TIGHT_FACE_SHARE = 0.6;

/**
 * Whether an image is shaped like a face crop (a dataset's aligned or cropped face): at most
 * {@link FACE_CROP_MAX_SIDE} pixels on its longer side and no wider than {@link FACE_CROP_MAX_ASPECT}.
 * The detector then tries the padded pass first, since the unpadded one misses faces that fill
 * the image (it found 15 of the 160 faces in faces-dev's crops).
 */
export function looksLikeFaceCrop(image: Pick<RgbImage, 'width' | 'height'>): boolean {
  return Math.max(image.width, image.height) <= FACE_CROP_MAX_SIDE && image.width <= image.height * FACE_CROP_MAX_ASPECT;
}

/** face-api's tiny face detector (190 KB of weights inside the npm package), run on WASM. */
export function createTinyFaceDetector(options: TinyFaceDetectorOptions = {}): FaceDetector {
  const inputSize = options.inputSize ?? 416;
  const minScore = options.minScore ?? 0.4;
  const retryPadding = options.retryPadding ?? 0.5;
  // Padded pass as face-api is used plainly on tight crops (pad 100% black, input 320, score 0.2):
  // it beat emolabel 0.1's grey border at input 160 and score 0.4 on faces-dev
  // (bench/local-model-accuracy.ts, docs/local-model.md).
  const retryInputSize = options.retryInputSize ?? 320;
  const retryMinScore = options.retryMinScore ?? 0.2;
  const retryPadValue = (options.retryPadColor ?? 'black') === 'black' ? 0 : 128;
  const passOrder = options.passOrder ?? 'shape';

  /**
   * Detects on the image scaled down (by sharp, off the main thread) to the network's input size,
   * with `padding` of its longer side as a border around it. Boxes come back in the image's own
   * coordinates (those of a face filling a tight crop may reach past its edges).
   */
  async function detectOnce(kind: DetectionPass['kind'], image: RgbImage, size: number, score: number, padding = 0): Promise<FaceBox[]> {
    const started = performance.now();
    const runtime = await loadFaceApi();
    // Scaled before the border is added: the image with its border is then already the input size.
    const scaled = await limitImageSize(image, padding > 0 ? Math.round(size / (1 + 2 * padding)) : size);
    const border: InputBorder | undefined = padding > 0 ? { offset: Math.round(Math.max(scaled.width, scaled.height) * padding), value: retryPadValue } : undefined;
    const offset = border?.offset ?? 0;
    const scaleX = image.width / scaled.width;
    const scaleY = image.height / scaled.height;
    const boxes = (await detectTinyFaces(runtime, scaled, size, score, border)).map((box) => ({
      x: (box.x - offset) * scaleX, y: (box.y - offset) * scaleY, width: box.width * scaleX, height: box.height * scaleY, score: box.score,
    }));
    options.onPass?.({ kind, faces: boxes.length, ms: performance.now() - started });
    return boxes;
  }
  const unpadded = (image: RgbImage) => detectOnce('unpadded', image, inputSize, minScore);
  const padded = (image: RgbImage) => detectOnce('padded', image, retryInputSize, retryMinScore, retryPadding);

  async function detect(image: RgbImage): Promise<FaceBox[]> {
    if (retryPadding <= 0) return unpadded(image);
    if (passOrder === 'shape' && looksLikeFaceCrop(image)) {
      const inBorder = await padded(image);
      const longerSide = Math.max(image.width, image.height);
      if (inBorder.some((box) => Math.max(box.width, box.height) >= TIGHT_FACE_SHARE * longerSide)) return inBorder;
      // No face filling the crop: the unpadded pass decides, as on any image; the padded faces stand when it finds none.
      const plain = await unpadded(image);
      return plain.length > 0 ? plain : inBorder;
    }
    const plain = await unpadded(image);
    return plain.length > 0 ? plain : padded(image);
  }

  return {
    name: 'face-api-tiny',
    async detect(image) {
      return (await detect(image)).sort((a, b) => boxArea(b) - boxArea(a));
    },
  };
}
