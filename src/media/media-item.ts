/** What an input is: a still image, a video file, or a folder whose images are the frames of one clip. */
export type MediaKind = 'image' | 'video' | 'frames';

/** One unit of work: a clip (video or frame folder) or an image; results are reported per item. */
export interface MediaItem {
  /** The input's path relative to the root it came from, without extension (`DailyLife/Happy/0042`). */
  readonly id: string;
  /** Absolute path of the file or frame folder. */
  readonly path: string;
  readonly kind: MediaKind;
  /** A gold label from a manifest, kept as given. */
  readonly label?: string;
}

/** One sampled frame of an item, decoded. */
export interface Frame {
  /** Position among the sampled frames, from 0. */
  readonly index: number;
  /** Frame number in the video, or file index in the folder, from 0. */
  readonly sourceIndex: number;
  /** Time in the video, in seconds, when known. */
  readonly timeSec?: number;
  /** The file a frame of a frame folder came from. */
  readonly file?: string;
  readonly image: import('./rgb-image.js').RgbImage;
  /** What the decoder noticed that the result should say (an animated image labelled from its first frame). */
  readonly warnings?: readonly string[];
}

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff'] as const;
export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.mkv', '.webm', '.avi', '.gif', '.m4v', '.mpg', '.mpeg', '.wmv'] as const;

export function isImagePath(path: string): boolean {
  const lower = path.toLowerCase();
  return IMAGE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

export function isVideoPath(path: string): boolean {
  const lower = path.toLowerCase();
  return VIDEO_EXTENSIONS.some((extension) => lower.endsWith(extension));
}
