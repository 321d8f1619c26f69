import type { FaceBox } from './face-box.js';
import type { RgbImage } from '../media/rgb-image.js';

/** Finds faces in a frame. One small interface so another detector can replace face-api's. */
export interface FaceDetector {
  readonly name: string;
  /** Boxes in the frame's pixels, largest first. */
  detect(image: RgbImage): Promise<FaceBox[]>;
}
