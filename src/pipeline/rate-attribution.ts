/**
 * What held a run's request rate at a moment:
 * - `provider`: slots are held by requests waiting for the provider's limits (the `rpm`/`tpm`
 *   bucket, a 429's `Retry-After`) or backing off after a failure;
 * - `concurrency`: every slot is at the provider (and requests may wait for one): a higher limit would send more;
 * - `input`: slots are free and nothing waits for them: frames and faces (decoding, face
 *   detection on the CPU) are not ready fast enough, or the run is ending.
 */
export type LimitedBy = 'provider' | 'concurrency' | 'input';

/** Slots held by requests that are not at the provider: waiting for its rate limits, or backing off. */
export interface HeldBack {
  /** Waiting for the `rpm`/`tpm` bucket (given or stated) or a 429's `Retry-After`. */
  readonly limits: number;
  /** Waiting out a backoff after a failed attempt. */
  readonly backoff: number;
}

/** The request limit's state at one moment. */
export interface LimitState {
  readonly limit: number;
  /** Requests holding a slot. */
  readonly inFlight: number;
  /** Requests waiting for a slot. */
  readonly waiting: number;
  /** Slots held by requests that wait for the provider's rate limits or back off after a failure. */
  readonly heldBack: HeldBack;
  /** The adaptive limit is held because answers slowed: a queue is building at the provider. @default false */
  readonly providerQueueing?: boolean;
  /** Items are still to come; once used up, free slots are the run ending, not the input. @default true */
  readonly inputOpen?: boolean;
}

/**
 * How a moment divides between the causes. While any request waits for the provider's rate limits,
 * the moment is the provider's: those limits, not the slots, set the pace. Requests backing off
 * after failures take only their share of the slots (one in a long backoff while thirty are at the
 * provider is a thirtieth). The rest is the concurrency limit's when every slot is taken or
 * requests wait for one (the provider's, when the limit is held because its answers slowed), else
 * the input's while items are still to come; once they are used up, nobody's (the run is ending).
 * Undefined when nothing is in flight or waiting.
 */
export function limitShares(state: LimitState): Record<LimitedBy, number> | undefined {
  if (state.inFlight === 0 && state.waiting === 0) return undefined;
  const provider = state.heldBack.limits > 0 ? 1 : Math.min(1, state.heldBack.backoff / Math.max(1, state.limit, state.inFlight));
  const rest = 1 - provider;
  const busy = state.waiting > 0 || state.inFlight >= state.limit;
  if (busy) return state.providerQueueing ? { provider: 1, concurrency: 0, input: 0 } : { provider, concurrency: rest, input: 0 };
  // Free slots with nothing left to send: the run is ending; only the provider's part is counted.
  if (state.inputOpen === false) return { provider, concurrency: 0, input: 0 };
  return { provider, concurrency: 0, input: rest };
}

/** Idle stretches longer than this are not the pipeline's (a batch being waited for, a paused run): left out. */
const LONGEST_IDLE_MS = 10_000;

/**
 * Time spent in each {@link LimitedBy} state, from the first request to the last observation:
 * each observation closes the interval since the one before, divided by {@link limitShares}.
 * Stretches with nothing in flight or waiting count as `input` (the pipeline had nothing to send),
 * unless longer than 10 s.
 */
export class RateAttribution {
  private readonly totals: Record<LimitedBy, number> = { provider: 0, concurrency: 0, input: 0 };
  private startedAt: number | undefined;
  private lastAt = 0;
  private lastShares: Record<LimitedBy, number> | undefined;
  private leftOutMs = 0;

  constructor(private readonly now: () => number) {}

  observe(state: LimitState): void {
    const at = this.now();
    const shares = limitShares(state);
    if (this.startedAt === undefined) {
      if (shares === undefined) return;
      this.startedAt = at;
    } else {
      const interval = at - this.lastAt;
      if (this.lastShares === undefined && interval > LONGEST_IDLE_MS) this.leftOutMs += interval;
      else for (const cause of ['provider', 'concurrency', 'input'] as const) this.totals[cause] += interval * (this.lastShares?.[cause] ?? (cause === 'input' ? 1 : 0));
    }
    this.lastAt = at;
    this.lastShares = shares;
  }

  /** From the first request to the last observation, long idle stretches left out. */
  elapsedMs(): number {
    return this.startedAt === undefined ? 0 : this.lastAt - this.startedAt - this.leftOutMs;
  }

  /** Milliseconds of {@link elapsedMs} each cause held the rate. */
  limitedMs(): Record<LimitedBy, number> {
    return { ...this.totals };
  }
}
