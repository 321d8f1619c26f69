/** A face found in a frame, in pixels of that frame. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Detector confidence, 0-1. */
  readonly score: number;
}

export function boxArea(box: FaceBox): number {
  return Math.max(0, box.width) * Math.max(0, box.height);
}

/** Intersection over union of two boxes, 0-1. */
export function intersectionOverUnion(a: FaceBox, b: FaceBox): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (boxArea(a) + boxArea(b) - intersection);
}

/**
 * Grows a box by `margin` of its size on every side, then clamps it to the image, so a crop keeps
 * the forehead and chin the expression depends on.
 */
export function expandBox(box: FaceBox, margin: number, imageWidth: number, imageHeight: number): FaceBox {
  const x = Math.min(imageWidth - 1, Math.max(0, Math.floor(box.x - box.width * margin)));
  const y = Math.min(imageHeight - 1, Math.max(0, Math.floor(box.y - box.height * margin)));
  const right = Math.min(imageWidth, Math.ceil(box.x + box.width * (1 + margin)));
  const bottom = Math.min(imageHeight, Math.ceil(box.y + box.height * (1 + margin)));
  return { x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y), score: box.score };
}

/**
 * The part of a box inside a `width` x `height` image. A detector's padded retry finds faces that
 * fill the image with boxes reaching past its edges; what is shown or exported must stay inside.
 */
export function clipBox(box: FaceBox, width: number, height: number): FaceBox {
  const x = Math.min(width, Math.max(0, box.x));
  const y = Math.min(height, Math.max(0, box.y));
  const right = Math.min(width, Math.max(x, box.x + box.width));
  const bottom = Math.min(height, Math.max(y, box.y + box.height));
  return { x, y, width: right - x, height: bottom - y, score: box.score };
}
