/**
 * What held a run's request rate at a moment:
 * - `provider`: slots are held by requests waiting for the provider's limits (the `rpm`/`tpm`
 *   bucket, a 429's `Retry-After`) or backing off after a failure;
 * - `concurrency`: every slot is at the provider (and requests may wait for one): a higher limit would send more;
 * - `input`: slots are free and nothing waits for them: frames and faces (decoding, face
 *   detection on the CPU) are not ready fast enough, or the run is ending.
 */
export type LimitedBy = 'provider' | 'concurrency' | 'input';

/** The request limit's state at one moment. */
export interface LimitState {
  readonly limit: number;
  /** Requests holding a slot. */
  readonly inFlight: number;
  /** Requests waiting for a slot. */
  readonly waiting: number;
  /** Slots held by requests waiting for the provider's limits (the `rpm`/`tpm` bucket, a `Retry-After`) or a backoff. */
  readonly heldBack: number;
}

export function limitedBy(state: LimitState): LimitedBy | undefined {
  if (state.inFlight === 0 && state.waiting === 0) return undefined;
  if (state.heldBack > 0) return 'provider';
  if (state.waiting > 0 || state.inFlight >= state.limit) return 'concurrency';
  return 'input';
}

/**
 * Time spent in each {@link LimitedBy} state, from the first request to the last observation:
 * each observation closes the interval since the one before. Stretches with nothing in flight or
 * waiting between the first request and the last count as `input` (the pipeline had nothing to send).
 */
export class RateAttribution {
  private readonly totals: Record<LimitedBy, number> = { provider: 0, concurrency: 0, input: 0 };
  private startedAt: number | undefined;
  private lastAt = 0;
  private lastState: LimitedBy | undefined;

  constructor(private readonly now: () => number) {}

  observe(state: LimitState): void {
    const at = this.now();
    const current = limitedBy(state);
    if (this.startedAt === undefined) {
      if (current === undefined) return;
      this.startedAt = at;
    } else {
      this.totals[this.lastState ?? 'input'] += at - this.lastAt;
    }
    this.lastAt = at;
    this.lastState = current;
  }

  elapsedMs(): number {
    return this.startedAt === undefined ? 0 : this.lastAt - this.startedAt;
  }

  /** Milliseconds of {@link elapsedMs} each cause held the rate. */
  limitedMs(): Record<LimitedBy, number> {
    return { ...this.totals };
  }
}
