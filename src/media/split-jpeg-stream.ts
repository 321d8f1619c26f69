/**
 * Splits a stream of concatenated JPEG images (ffmpeg's `image2pipe` with `mjpeg`) into single
 * images. ffmpeg's encoder writes no thumbnails, and inside entropy-coded data every 0xFF byte is
 * stuffed, so the first end-of-image marker after a start-of-image marker ends the image.
 */
export class JpegStreamSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private searchFrom = 0;

  /** Adds a chunk and returns the images it completed. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const images: Buffer[] = [];
    for (;;) {
      const start = this.pending.indexOf(START_OF_IMAGE);
      if (start < 0) {
        this.pending = Buffer.alloc(0);
        this.searchFrom = 0;
        return images;
      }
      const end = this.pending.indexOf(END_OF_IMAGE, Math.max(start + 2, this.searchFrom));
      if (end < 0) {
        this.pending = this.pending.subarray(start);
        this.searchFrom = Math.max(0, this.pending.length - 1);
        return images;
      }
      images.push(Buffer.from(this.pending.subarray(start, end + 2)));
      this.pending = this.pending.subarray(end + 2);
      this.searchFrom = 0;
    }
  }

  /** Bytes received that did not form a complete image (a truncated stream). */
  get leftoverBytes(): number {
    return this.pending.length;
  }
}

const START_OF_IMAGE = Buffer.from([0xff, 0xd8]);
const END_OF_IMAGE = Buffer.from([0xff, 0xd9]);
