import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { FaceApiRuntime } from './face-api-runtime.js';
import type { FaceBox } from './face-box.js';
import type { RgbImage } from '../media/rgb-image.js';

/** face-api's leaky ReLU slope (`leaky()`: relu(x - 0.1x) + 0.1x), as the float32 it multiplies by. */
const LEAKY_ALPHA = 0.10000000149011612;
/** Pixels of network input per output cell (five 2x2 poolings of stride 2). */
const CELL = 32;

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
 * `detectAllFaces(TinyFaceDetectorOptions)`, computed with less work:
 * - each layer is one fused convolution (bias and leaky ReLU inside); face-api runs a convolution,
 *   a bias add and four element-wise ops for its leaky ReLU, each a pass over a tensor as large as
 *   the first layer's 416x416x16 (about 1.7x faster on WASM, outputs equal to float rounding);
 * - the input is normalised in one loop over the pixels, the border written straight into it
 *   (face-api casts, pads to a square, subtracts its mean and divides by 255 as four tensors);
 * - only the rows and columns of cells the image reaches are computed: face-api pads a 16:9 frame
 *   to a square, so at 416 the network ran on 416x416 where the frame fills 416x234; here on
 *   416x256. Faces near the edge then see the network's own zero padding instead of black rows
 *   further out: on faces-dev, the demo photos and 1280x720 frames the same faces were found, boxes
 *   within 1.5% of their width (test/faces/tiny-face-network.test.ts).
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
  // face-api pads to a square and scales it to the input size: the image is its top left `reshaped`
  // part, and only the 32-pixel cells that part reaches are computed (the network is convolutional).
  const scale = inputSize / side;
  const reshaped = { width: Math.round(width * scale), height: Math.round(height * scale) };
  const input = { width: cover(reshaped.width, inputSize), height: cover(reshaped.height, inputSize) };
  const output = tf.tidy(() => {
    let square = tf.tensor4d(normalisedInput(image, side, net.config.meanRgb, border), [1, side, side, 3]);
    if (side !== inputSize) square = tf.image.resizeBilinear(square, [inputSize, inputSize], false, false);
    const cells = input.width === inputSize && input.height === inputSize ? square : tf.slice(square, [0, 0, 0, 0], [1, input.height, input.width, 3]);
    return runNetwork(runtime.tf, params, cells);
  });
  let values: Float32Array;
  try {
    values = (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
  const [, rows = 0, columns = 0] = output.shape;
  return decodeBoxes(runtime, net.config, values, { rows, columns }, reshaped, { width, height }, minScore);
}

/** The smallest multiple of the network's 32-pixel cell that covers `length`, at most `inputSize`. */
function cover(length: number, inputSize: number): number {
  return Math.min(inputSize, Math.ceil(length / CELL) * CELL);
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
 * cell's anchors scoring above `minScore`, mapped from the `reshaped` part of the network input to
 * the pixels of the `image` (with its border).
 */
function decodeBoxes(
  { faceapi }: FaceApiRuntime, config: TinyFaceNet['config'], values: Float32Array, grid: { rows: number; columns: number },
  reshaped: { width: number; height: number }, image: { width: number; height: number }, minScore: number,
): FaceBox[] {
  const anchors = config.anchors;
  // Boxes relative to the reshaped image (0-1), as face-api's relative boxes.
  const found: Array<{ box: InstanceType<FaceApiRuntime['faceapi']['BoundingBox']>; score: number }> = [];
  for (let row = 0; row < grid.rows; row += 1) {
    for (let column = 0; column < grid.columns; column += 1) {
      for (const [index, anchor] of anchors.entries()) {
        const at = ((row * grid.columns + column) * anchors.length + index) * 5;
        const score = sigmoid(values[at + 4] as number);
        if (minScore && score <= minScore) continue;
        const centreX = ((column + sigmoid(values[at] as number)) * CELL) / reshaped.width;
        const centreY = ((row + sigmoid(values[at + 1] as number)) * CELL) / reshaped.height;
        const boxWidth = (Math.exp(values[at + 2] as number) * anchor.x * CELL) / reshaped.width;
        const boxHeight = (Math.exp(values[at + 3] as number) * anchor.y * CELL) / reshaped.height;
        const x = centreX - boxWidth / 2;
        const y = centreY - boxHeight / 2;
        found.push({ box: new faceapi.BoundingBox(x, y, x + boxWidth, y + boxHeight), score });
      }
    }
  }
  // Overlap is the same in any per-axis scale, so relative boxes serve (face-api scales them by the input size).
  const kept = faceapi.nonMaxSuppression(found.map(({ box }) => box), found.map(({ score }) => score), config.iouThreshold, true);
  return kept.map((index) => {
    const { box, score } = found[index] as (typeof found)[number];
    return { x: box.x * image.width, y: box.y * image.height, width: box.width * image.width, height: box.height * image.height, score };
  });
}
