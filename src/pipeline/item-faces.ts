import type { FaceTrack } from '../faces/find-faces.js';
import type { Frame } from '../media/media-item.js';

/** An item's sampled frames and the face tracks found in them: what the CPU-heavy half of an item hands to labelling. */
export interface ItemFaces {
  readonly frames: Frame[];
  readonly tracks: FaceTrack[];
}
