/** Decoded pixels: 8-bit RGB, row-major, 3 bytes a pixel, no padding. */
export interface RgbImage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}
