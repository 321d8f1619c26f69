import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { FaceApiRuntime } from './face-api-runtime.js';
import type { FaceBox } from './face-box.js';
import type { RgbImage } from '../media/rgb-image.js';

/** face-api's leaky ReLU slope (`leaky()`: relu(x - 0.1x) + 0.1x), as the float32 it multiplies by. */
const LEAKY_ALPHA = 0.10000000149011612;

/** A border drawn around the image inside the network input, instead of a padded copy of the image. */
export interface InputBorder {
  /** Pixels added on every side. */
  readonly offset: number;
  /** Grey level of the border, 0-255. */
  readonly value: number;
}

interface ConvParams { readonly filters: Tensor4D; readonly bias: Tensor }
interface SeparableParams { readonly depthwise_filter: Tensor4D; readonly pointwise_filter: Tensor4D; readonly bias: Tensor }
interface TinyFaceParams {
  readonly conv0: ConvParams;
  readonly conv1: SeparableParams; readonly conv2: SeparableParams; readonly conv3: SeparableParams;
  readonly conv4: SeparableParams; readonly conv5: SeparableParams;
  readonly conv6?: SeparableParams; readonly conv7?: SeparableParams;
  readonly conv8: ConvParams;
}
/** What is read off face-api's loaded tiny face detector: its weights and its configuration. */
interface TinyFaceNet {
  readonly params?: TinyFaceParams;
  readonly config: { readonly anchors: ReadonlyArray<{ x: number; y: number }>; readonly meanRgb: readonly [number, number, number]; readonly iouThreshold: number };
}

/**
 * Runs face-api's tiny face detector on `image` (its longer side at most `inputSize`, plus the
 * border when given) and returns the faces scoring above `minScore`, in the pixels of the image
 * with its border.
 *
 * The same network, weights, box decoding and non-maximum suppression as face-api's
 * `detectAllFaces(TinyFaceDetectorOptions)`, computed with fewer TF.js kernels: face-api runs each
 * layer as a convolution, a bias add and four element-wise ops for its leaky ReLU, each a pass over
 * a tensor as large as the first layer's 416x416x16; here each layer is one fused convolution
 * (bias and leaky ReLU inside), about 1.7x faster on WASM. The input is normalised in one loop
 * over the pixels (face-api casts, pads to a square, subtracts its mean and divides by 255 as four
 * tensors), and a border is written straight into it. Outputs agree with face-api's to float
 * rounding (test/faces/tiny-face-network.test.ts).
 */
export async function detectTinyFaces(runtime: FaceApiRuntime, image: RgbImage, inputSize: number, minScore: number, border?: InputBorder): Promise<FaceBox[]> {
  const { faceapi, tf } = runtime;
  const net = faceapi.nets.tinyFaceDetector as unknown as TinyFaceNet;
  const { params } = net;
  if (params === undefined) throw new Error('The tiny face detector is not loaded.');
  const offset = border?.offset ?? 0;
  const width = image.width + 2 * offset;
  const height = image.height + 2 * offset;
  const side = Math.max(width, height);
  const output = tf.tidy(() => {
    let input = tf.tensor4d(normalisedInput(image, side, net.config.meanRgb, border), [1, side, side, 3]);
    if (side !== inputSize) input = tf.image.resizeBilinear(input, [inputSize, inputSize], false, false);
    return runNetwork(runtime.tf, params, input);
  });
  let values: Float32Array;
  try {
    values = (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
  return decodeBoxes(runtime, net.config, values, output.shape[1] ?? 0, { width, height }, inputSize, minScore);
}

/**
 * The network input as face-api builds it, normalised: (pixel - mean) / 255, the image at the top
 * left of a `side` x `side` square whose rest is black (face-api's padToSquare), with `border`
 * around the image in its own grey.
 */
function normalisedInput(image: RgbImage, side: number, mean: readonly [number, number, number], border: InputBorder | undefined): Float32Array {
  const values = new Float32Array(side * side * 3);
  const level = (value: number, channel: number) => (value - (mean[channel] as number)) / 255;
  const black = [level(0, 0), level(0, 1), level(0, 2)] as const;
  for (let index = 0; index < side * side; index += 1) {
    values[index * 3] = black[0];
    values[index * 3 + 1] = black[1];
    values[index * 3 + 2] = black[2];
  }
  const offset = border?.offset ?? 0;
  if (border !== undefined && border.value !== 0) {
    const grey = [level(border.value, 0), level(border.value, 1), level(border.value, 2)] as const;
    for (let row = 0; row < image.height + 2 * offset; row += 1) {
      for (let column = 0; column < image.width + 2 * offset; column += 1) {
        const at = (row * side + column) * 3;
        values[at] = grey[0];
        values[at + 1] = grey[1];
        values[at + 2] = grey[2];
      }
    }
  }
  const { data } = image;
  for (let row = 0; row < image.height; row += 1) {
    let from = row * image.width * 3;
    let at = ((row + offset) * side + offset) * 3;
    for (let column = 0; column < image.width; column += 1) {
      values[at] = level(data[from] as number, 0);
      values[at + 1] = level(data[from + 1] as number, 1);
      values[at + 2] = level(data[from + 2] as number, 2);
      from += 3;
      at += 3;
    }
  }
  return values;
}

/** face-api's `TinyYolov2Base.runMobilenet` with each layer's convolution, bias and leaky ReLU fused into one kernel. */
function runNetwork(tf: FaceApiRuntime['tf'], params: TinyFaceParams, input: Tensor4D): Tensor4D {
  const leaky = { activation: 'leakyrelu', leakyreluAlpha: LEAKY_ALPHA } as const;
  // A 3x3 'same' depthwise convolution is face-api's pad-by-one then 'valid' one.
  const separable = (x: Tensor4D, layer: SeparableParams) => tf.fused.conv2d({
    x: tf.depthwiseConv2d(x, layer.depthwise_filter, 1, 'same'), filter: layer.pointwise_filter, strides: 1, pad: 'valid', bias: layer.bias, ...leaky,
  });
  const pool = (x: Tensor4D, stride: number) => tf.maxPool(x, 2, stride, 'same');
  let out = tf.fused.conv2d({ x: input, filter: params.conv0.filters, strides: 1, pad: 'valid', bias: params.conv0.bias, ...leaky });
  out = pool(out, 2);
  for (const layer of [params.conv1, params.conv2, params.conv3, params.conv4]) out = pool(separable(out, layer), 2);
  out = pool(separable(out, params.conv5), 1);
  if (params.conv6) out = separable(out, params.conv6);
  if (params.conv7) out = separable(out, params.conv7);
  return tf.add(tf.conv2d(out, params.conv8.filters, 1, 'valid'), params.conv8.bias);
}

const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

/**
 * face-api's `TinyYolov2Base.extractBoxes` and the non-maximum suppression of its `detect`: each
 * cell's anchors scoring above `minScore`, in the pixels of the `image`-sized input.
 */
function decodeBoxes(
  { faceapi }: FaceApiRuntime, config: TinyFaceNet['config'], values: Float32Array, cells: number,
  image: { width: number; height: number }, inputSize: number, minScore: number,
): FaceBox[] {
  const scale = inputSize / Math.max(image.width, image.height);
  const correctionX = inputSize / Math.round(image.width * scale);
  const correctionY = inputSize / Math.round(image.height * scale);
  const anchors = config.anchors;
  const found: Array<{ box: InstanceType<FaceApiRuntime['faceapi']['BoundingBox']>; score: number }> = [];
  for (let row = 0; row < cells; row += 1) {
    for (let column = 0; column < cells; column += 1) {
      for (const [index, anchor] of anchors.entries()) {
        const at = ((row * cells + column) * anchors.length + index) * 5;
        const score = sigmoid(values[at + 4] as number);
        if (minScore && score <= minScore) continue;
        const centreX = ((column + sigmoid(values[at] as number)) / cells) * correctionX;
        const centreY = ((row + sigmoid(values[at + 1] as number)) / cells) * correctionY;
        const boxWidth = ((Math.exp(values[at + 2] as number) * anchor.x) / cells) * correctionX;
        const boxHeight = ((Math.exp(values[at + 3] as number) * anchor.y) / cells) * correctionY;
        const x = centreX - boxWidth / 2;
        const y = centreY - boxHeight / 2;
        found.push({ box: new faceapi.BoundingBox(x, y, x + boxWidth, y + boxHeight), score });
      }
    }
  }
  const kept = faceapi.nonMaxSuppression(found.map(({ box }) => box.rescale(inputSize)), found.map(({ score }) => score), config.iouThreshold, true);
  return kept.map((index) => {
    const { box, score } = found[index] as (typeof found)[number];
    return { x: box.x * image.width, y: box.y * image.height, width: box.width * image.width, height: box.height * image.height, score };
  });
}
