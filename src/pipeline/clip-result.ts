import type { AbstainReason, ActionUnitObservation, Usage } from '../annotators/annotator.js';
import type { FaceBox } from '../faces/face-box.js';
import type { MediaKind } from '../media/media-item.js';
import type { Distribution } from '../taxonomy/taxonomy.js';

/**
 * `ok`: labelled from a face (or from whole frames when face detection was not applied, `faces: 'none'`);
 * `no_face`: no face in any sampled frame, so the label (if any) comes
 * from the whole frames; `abstained`: the model said the images do not let it judge the expression
 * (no face, occluded, several faces, too blurred: see `abstain`), or too few frames got a label;
 * `refused`: the model declined; `error`: the item could not be labelled.
 */
export type ClipStatus = 'ok' | 'no_face' | 'abstained' | 'refused' | 'error';

/** Every clip status, in the order summaries and filters list them. */
export const CLIP_STATUSES: readonly ClipStatus[] = ['ok', 'no_face', 'abstained', 'refused', 'error'];

/** Where a sampled frame came from, and the face box used in it. */
export interface FrameRecord {
  readonly index: number;
  readonly sourceIndex: number;
  readonly timeSec?: number;
  readonly file?: string;
  /** Size of the decoded frame, in pixels (boxes are in these pixels). */
  readonly width?: number;
  readonly height?: number;
  readonly box?: FaceBox;
}

/** The result for one item (or one face of it with `faces: 'all'`): one output row. */
export interface ClipResult {
  /** Path relative to the input root, without extension. */
  readonly id: string;
  readonly path: string;
  readonly kind: MediaKind;
  /** The person's number with `faces: 'all'`; 0 otherwise. */
  readonly faceIndex: number;
  /** Gold label from the manifest, when given. */
  readonly truth?: string;
  readonly label?: string;
  readonly confidence?: number;
  readonly distribution?: Distribution;
  /** Per-frame labels, in frame order (empty for strategies that label the clip at once). */
  readonly frameLabels: ReadonlyArray<string | undefined>;
  /** Number of frames the label is based on. */
  readonly framesUsed: number;
  readonly faceFound: boolean;
  /** `not_applied`: face detection did not run (`faces: 'none'`), so whole frames were labelled by choice; absent: it ran. */
  readonly faceDetection?: 'not_applied';
  /** `provider:model`. */
  readonly model: string;
  readonly strategy: string;
  readonly taxonomy: string;
  readonly status: ClipStatus;
  /** Why the model abstained (status `abstained`): the reason most of its answers gave. */
  readonly abstain?: AbstainReason;
  /** Why there is no label (status `error`, `refused`, or `abstained` for too few labelled frames). */
  readonly error?: string;
  readonly rationale?: string;
  /** Facial action units the model reported for the chosen label (`au-cot` prompt). */
  readonly actionUnits?: readonly ActionUnitObservation[];
  /** The frame (1-based) where the model saw the expression peak (`au-cot@v2` on several frames). */
  readonly peakFrame?: number;
  /** Whether the model took the local classifier's hint (`hint@v2`; with several requests, whether most did). */
  readonly hintFollowed?: boolean;
  readonly rawText?: string;
  readonly usage: Usage;
  /**
   * What the item's requests cost in US dollars; `null` when a paid request's price is unknown (a
   * model the price data lacks and no `priceTable` names): never a made-up 0.
   */
  readonly costUsd: number | null;
  readonly promptVersion?: string;
  readonly warnings: readonly string[];
  readonly frames: readonly FrameRecord[];
  readonly durationMs: number;
  /** The `emolabel worker` process that labelled the item, in a run on a job queue. */
  readonly worker?: { readonly host: string; readonly pid: number };
}

/** Statuses that count as a failed item for the exit code (an abstention is an answer, not a failure). */
export function isFailure(result: Pick<ClipResult, 'status'>): boolean {
  return result.status === 'error' || result.status === 'refused';
}
