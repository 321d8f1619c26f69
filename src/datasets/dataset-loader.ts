import type { MediaItem } from '../media/media-item.js';

/** A labelled item of a dataset. `label` is the gold label as the dataset writes it. */
export interface DatasetItem extends MediaItem {
  readonly label: string;
  /** FERV39k's scene (`DailyLife` …), for datasets that have one. */
  readonly scene?: string;
}

/** A loaded dataset: its items in the order the source lists them. */
export interface Dataset {
  /** The loader that read it: `folder`, `manifest`, `ferv39k`. */
  readonly kind: string;
  /** The folder or file it was read from. */
  readonly source: string;
  readonly items: readonly DatasetItem[];
  /** Where the media are expected, when that differs from `source` (FERV39k's frames root). */
  readonly mediaRoot?: string;
  /** What normalising its labels changed that a reader should know (contempt counted as Disgust …). */
  readonly warnings?: readonly string[];
}

/** Options a loader may use; `emolabel dataset` rejects those a loader does not list in its `options`. */
export interface DatasetLoadOptions {
  /** Keep only this scene (FERV39k). */
  readonly scene?: string;
  /** Folder the clip paths of a split list are relative to (FERV39k's `2_ClipsforFaceCrop`). */
  readonly framesRoot?: string;
  /** The manifest's column of media paths (manifest). @default `path`, else the one usual name present (image, clip, video, file …) */
  readonly pathColumn?: string;
  /** The manifest's column of item ids (manifest). @default `id` when present, else ids from the paths */
  readonly idColumn?: string;
}

/**
 * Reads a labelled dataset into items without decoding any media; loaders that read a list
 * (manifest, FERV39k) work even when the media are not on disk.
 */
export interface DatasetLoader {
  /** The name used on the command line: `emolabel dataset <kind> <path>`. */
  readonly kind: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Options this loader accepts. */
  readonly options: readonly (keyof DatasetLoadOptions)[];
  load(path: string, options?: DatasetLoadOptions): Promise<Dataset>;
}
