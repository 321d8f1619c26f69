/**
 * Ways to run the bundled face-api models on one photo, for bench/local-model-accuracy.ts: the plain
 * face-api recipe (the baseline), emolabel's pipeline pieces with other settings, and the changes
 * tried on top (detection settings, crop shape, flip test-time augmentation, the SSD detector).
 */
import sharp, { type Sharp } from 'sharp';
import { classifyBasicExpression } from '../../src/annotators/local/face-api-expression-annotator.js';
import { loadFaceApi } from '../../src/faces/face-api-runtime.js';
import { boxArea, expandBox, type FaceBox } from '../../src/faces/face-box.js';
import { createTinyFaceDetector, type TinyFaceDetectorOptions } from '../../src/faces/tiny-face-detector.js';
import { cropImage, limitImageSize } from '../../src/faces/transform-image.js';
import type { RgbImage } from '../../src/media/rgb-image.js';
import { BASIC_LABELS, type BasicLabel } from '../../src/taxonomy/basic-labels.js';

export type BasicDistribution = Record<BasicLabel, number>;

/** What a variant says about one photo: its distribution (none: no label) and whether a face was found. */
export interface VariantAnswer {
  readonly distribution?: BasicDistribution;
  readonly faceFound: boolean;
}

export type Variant = (image: RgbImage) => Promise<VariantAnswer>;

const FACE_API_CLASS: Record<string, BasicLabel> = {
  angry: 'Angry', disgusted: 'Disgust', fearful: 'Fear', happy: 'Happy', neutral: 'Neutral', sad: 'Sad', surprised: 'Surprise',
};

async function raw(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const fromRaw = (image: RgbImage) => sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });

/** Pads each side by `fraction` of the image's own width (left/right) and height (top/bottom), in black. */
export async function padBlack(image: RgbImage, fraction: number): Promise<{ image: RgbImage; dx: number; dy: number }> {
  const dx = Math.round(image.width * fraction);
  const dy = Math.round(image.height * fraction);
  const padded = await raw(fromRaw(image).extend({ top: dy, bottom: dy, left: dx, right: dx, background: { r: 0, g: 0, b: 0 } }));
  return { image: padded, dx, dy };
}

export async function mirror(image: RgbImage): Promise<RgbImage> {
  return raw(fromRaw(image).flop());
}

/**
 * face-api used plainly: the photo padded by 100% (half of each side's size added on every side,
 * so it doubles) with black, `detectAllFaces(tiny, inputSize 320, scoreThreshold 0.2)
 * .withFaceExpressions()` on the full-resolution padded image, the largest face's expressions.
 */
export function plainFaceApi(padFraction = 0.5): Variant {
  return async (image) => {
    const { faceapi, tf } = await loadFaceApi();
    const padded = await padBlack(image, padFraction);
    const tensor = tf.tensor3d(padded.image.data, [padded.image.height, padded.image.width, 3], 'int32');
    try {
      const found = await faceapi
        .detectAllFaces(tensor as unknown as Parameters<typeof faceapi.detectAllFaces>[0], new faceapi.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: 0.2 }))
        .withFaceExpressions();
      const largest = [...found].sort((a, b) => b.detection.box.area - a.detection.box.area)[0];
      if (!largest) return { faceFound: false };
      const distribution = Object.fromEntries(BASIC_LABELS.map((label) => [label, 0])) as BasicDistribution;
      for (const [name, probability] of Object.entries(largest.expressions)) {
        const label = FACE_API_CLASS[name];
        if (label) distribution[label] = probability as number;
      }
      return { distribution, faceFound: true };
    } finally {
      tensor.dispose();
    }
  };
}

/** A detector: boxes in the image's pixels, largest first. */
export type Detect = (image: RgbImage) => Promise<FaceBox[]>;

/** emolabel's tiny detector (scaled input, padded retry) with the given settings. */
export function tinyDetector(options: TinyFaceDetectorOptions = {}): Detect {
  const detector = createTinyFaceDetector(options);
  return (image) => detector.detect(image);
}

/** The plain recipe's detection only: black padding, tiny at 320 / 0.2, boxes mapped back (clamped to the photo). */
export function paddedTinyDetector(padFraction = 0.5, inputSize = 320, minScore = 0.2): Detect {
  return async (image) => {
    const { faceapi, tf } = await loadFaceApi();
    const padded = await padBlack(image, padFraction);
    const scaled = await limitImageSize(padded.image, Math.max(inputSize, 640));
    const scale = padded.image.width / scaled.width;
    const tensor = tf.tensor3d(scaled.data, [scaled.height, scaled.width, 3], 'int32');
    try {
      const detections = await faceapi.detectAllFaces(tensor as unknown as Parameters<typeof faceapi.detectAllFaces>[0], new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minScore }));
      return detections
        .map(({ box, score }) => clampBox({ x: box.x * scale - padded.dx, y: box.y * scale - padded.dy, width: box.width * scale, height: box.height * scale, score }, image))
        .filter((box) => box.width > 1 && box.height > 1)
        .sort((a, b) => boxArea(b) - boxArea(a));
    } finally {
      tensor.dispose();
    }
  };
}

let ssdLoaded: Promise<void> | undefined;

/** face-api's second bundled detector, SSD MobileNet v1, on the photo padded with black. */
export function ssdDetector(padFraction = 0.5, minConfidence = 0.3): Detect {
  return async (image) => {
    const { faceapi, tf } = await loadFaceApi();
    ssdLoaded ??= faceapi.nets.ssdMobilenetv1.loadFromDisk(new URL('../../node_modules/@vladmandic/face-api/model', import.meta.url).pathname);
    await ssdLoaded;
    const padded = await padBlack(image, padFraction);
    const tensor = tf.tensor3d(padded.image.data, [padded.image.height, padded.image.width, 3], 'int32');
    try {
      const detections = await faceapi.detectAllFaces(tensor as unknown as Parameters<typeof faceapi.detectAllFaces>[0], new faceapi.SsdMobilenetv1Options({ minConfidence }));
      return detections
        .map(({ box, score }) => clampBox({ x: box.x - padded.dx, y: box.y - padded.dy, width: box.width, height: box.height, score }, image))
        .filter((box) => box.width > 1 && box.height > 1)
        .sort((a, b) => boxArea(b) - boxArea(a));
    } finally {
      tensor.dispose();
    }
  };
}

/** The first detector's boxes, else the second's. */
export function fallbackDetector(first: Detect, second: Detect): Detect {
  return async (image) => {
    const boxes = await first(image);
    return boxes.length > 0 ? boxes : second(image);
  };
}

function clampBox(box: FaceBox, image: RgbImage): FaceBox {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  return { x, y, width: Math.min(image.width, box.x + box.width) - x, height: Math.min(image.height, box.y + box.height) - y, score: box.score };
}

/** How a box becomes the classifier's input. */
export type CropShape = 'box' | 'square';

/** The box grown by `margin` (as emolabel crops); `square`: a square around its centre of the longer side (black beyond the photo). */
export async function cropFace(image: RgbImage, box: FaceBox, margin: number, shape: CropShape): Promise<RgbImage> {
  if (shape === 'box') return cropImage(image, expandBox(box, margin, image.width, image.height));
  const side = Math.round(Math.max(box.width, box.height) * (1 + 2 * margin));
  const left = Math.round(box.x + box.width / 2 - side / 2);
  const top = Math.round(box.y + box.height / 2 - side / 2);
  const pad = Math.max(0, -left, -top, left + side - image.width, top + side - image.height);
  const padded = pad > 0 ? await raw(fromRaw(image).extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 0, g: 0, b: 0 } })) : image;
  return cropImage(padded, { x: left + pad, y: top + pad, width: side, height: side });
}

export interface PipelineVariantOptions {
  readonly detect: Detect;
  /** @default 0 */
  readonly margin?: number;
  /** @default 'box' */
  readonly shape?: CropShape;
  /** Average the crop's and its mirror image's distributions. @default false */
  readonly flip?: boolean;
  /** Classify the whole photo when no face is found (emolabel's fallback). @default true */
  readonly wholeImageFallback?: boolean;
}

/** Detection, crop and classification as emolabel's pipeline does them, with the given pieces. */
export function pipelineVariant(options: PipelineVariantOptions): Variant {
  return async (image) => {
    const box = (await options.detect(image))[0];
    if (!box && options.wholeImageFallback === false) return { faceFound: false };
    const crop = box ? await cropFace(image, box, options.margin ?? 0, options.shape ?? 'box') : await limitImageSize(image, 1024);
    const distribution = await classifyBasicExpression(crop);
    if (!options.flip) return { distribution, faceFound: box !== undefined };
    const mirrored = await classifyBasicExpression(await mirror(crop));
    const mean = Object.fromEntries(BASIC_LABELS.map((label) => [label, (distribution[label] + mirrored[label]) / 2])) as BasicDistribution;
    return { distribution: mean, faceFound: box !== undefined };
  };
}
