import { loadFaceApi } from './face-api-runtime.js';
import { boxArea, type FaceBox } from './face-box.js';
import type { FaceDetector } from './face-detector.js';
import { limitImageSize, padImage } from './transform-image.js';
import type { RgbImage } from '../media/rgb-image.js';

export interface TinyFaceDetectorOptions {
  /** Network input size (multiple of 32); larger finds smaller faces, slower. @default 416 */
  readonly inputSize?: number;
  /** Lowest detector score kept. @default 0.4 */
  readonly minScore?: number;
  /**
   * Border added around the frame, as a fraction of its longer side, for a second try when the
   * first finds nothing: detectors miss faces that fill the whole image (tight crops). @default 0.5
   */
  readonly retryPadding?: number;
  /** Network input size for the padded retry (face-api's own recipe for tight crops). @default 320 */
  readonly retryInputSize?: number;
  /** Lowest detector score kept on the padded retry. @default 0.2 */
  readonly retryMinScore?: number;
  /** Colour of the retry's border: black, as face-api's recipe pads. @default 'black' */
  readonly retryPadColor?: 'grey' | 'black';
}

/** face-api's tiny face detector (190 KB of weights inside the npm package), run on WASM. */
export function createTinyFaceDetector(options: TinyFaceDetectorOptions = {}): FaceDetector {
  const inputSize = options.inputSize ?? 416;
  const minScore = options.minScore ?? 0.4;
  const retryPadding = options.retryPadding ?? 0.5;
  // Retry settings as face-api is used plainly on tight crops (pad 100% black, input 320, score 0.2):
  // they beat emolabel 0.1's grey border at input 160 and score 0.4 on faces-dev
  // (bench/local-model-accuracy.ts, docs/local-model.md).
  const retryInputSize = options.retryInputSize ?? 320;
  const retryMinScore = options.retryMinScore ?? 0.2;
  const retryPadColor = options.retryPadColor ?? 'black';

  /**
   * Detects on the image scaled down (by sharp, off the main thread) to the network's input size:
   * face-api would otherwise turn every full-size pixel into an int32 tensor, pad it to a square and
   * resize it on the WASM thread. Boxes come back in the image's own coordinates.
   */
  async function detectOnce(image: RgbImage, inputSize: number, minScore: number): Promise<FaceBox[]> {
    const { faceapi, tf } = await loadFaceApi();
    const scaled = await limitImageSize(image, inputSize);
    const scaleX = image.width / scaled.width;
    const scaleY = image.height / scaled.height;
    const tensor = tf.tensor3d(scaled.data, [scaled.height, scaled.width, 3], 'int32');
    try {
      const detections = await faceapi.detectAllFaces(
        tensor as unknown as Parameters<typeof faceapi.detectAllFaces>[0],
        new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minScore }),
      );
      return detections.map(({ box, score }) => ({ x: box.x * scaleX, y: box.y * scaleY, width: box.width * scaleX, height: box.height * scaleY, score }));
    } finally {
      tensor.dispose();
    }
  }

  return {
    name: 'face-api-tiny',
    async detect(image) {
      let boxes = await detectOnce(image, inputSize, minScore);
      if (boxes.length === 0 && retryPadding > 0) {
        // Scaled before it is padded: the padded image is then already the retry's input size.
        const small = await limitImageSize(image, Math.round(retryInputSize / (1 + 2 * retryPadding)));
        const scaleX = image.width / small.width;
        const scaleY = image.height / small.height;
        const padded = await padImage(small, retryPadding, retryPadColor);
        boxes = (await detectOnce(padded.image, retryInputSize, retryMinScore)).map((box) => ({
          x: (box.x - padded.offset) * scaleX, y: (box.y - padded.offset) * scaleY, width: box.width * scaleX, height: box.height * scaleY, score: box.score,
        }));
      }
      return boxes.sort((a, b) => boxArea(b) - boxArea(a));
    },
  };
}
