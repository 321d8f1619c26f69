import type { AbstainReason, Annotation, Annotator, ImageLayout, Usage } from '../annotators/annotator.js';
import type { FaceCrop } from '../faces/find-faces.js';
import type { Distribution, Taxonomy } from '../taxonomy/taxonomy.js';

/** What a strategy labels: the crops of one face track (or whole frames) of one item, in order. */
export interface StrategyInput {
  readonly crops: readonly FaceCrop[];
  readonly annotator: Annotator;
  readonly taxonomy: Taxonomy;
  readonly signal?: AbortSignal;
}

/** A strategy's verdict for one clip (or one face track of it). */
export interface ClipAnnotation {
  /**
   * `ok` when a label was reached; `abstained` when the model said it cannot judge the clip (or
   * most frames); otherwise the worst status among the requests.
   */
  readonly status: Annotation['status'];
  /** Why the model abstained (status `abstained`): the reason most of its answers gave. */
  readonly abstain?: AbstainReason;
  readonly label?: string;
  readonly confidence?: number;
  readonly distribution?: Distribution;
  /**
   * The label each frame got, in frame order: from one request per frame, or from the per-frame
   * answer of one request that saw them all (`multi`, `grid` with prompts `@v2`); empty when unknown.
   */
  readonly frameLabels: ReadonlyArray<string | undefined>;
  /** Every request the strategy made, in order. */
  readonly annotations: readonly Annotation[];
  readonly usage: Usage;
  readonly costUsd: number;
  readonly rationale?: string;
  readonly error?: string;
  readonly rawText?: string;
  /** The frame (1-based) where the model saw the expression peak, when it says. */
  readonly peakFrame?: number;
  /** Whether the model took the local classifier's hint (`hint@v2`; several requests: whether most did). */
  readonly hintFollowed?: boolean;
  readonly warnings: readonly string[];
  readonly promptVersion?: string;
}

/** How frames of a clip turn into requests and requests into one label (contract version `v1`). */
export interface Strategy {
  readonly specificationVersion: 'v1';
  readonly name: string;
  /**
   * How a worker thread gets this very strategy: the module to import (a file URL) and the name of
   * its export. Absent: it runs on the main thread only (whole items then stay there too).
   */
  readonly worker?: { readonly module: string; readonly exportName: string };
  readonly description: string;
  /**
   * The image layout its requests need (`grid`: one tiled image), when the annotator must read it:
   * an annotator whose `capabilities.layouts` lacks it cannot run this strategy (the bench skips
   * such cells before running). Absent: any annotator.
   */
  readonly layout?: ImageLayout['kind'];
  annotateClip(input: StrategyInput): Promise<ClipAnnotation>;
}
