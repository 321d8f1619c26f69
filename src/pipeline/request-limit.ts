import { AsyncResource } from 'node:async_hooks';
import PQueue from 'p-queue';
import { LatencyTrend } from './latency-trend.js';
import { type HeldBack, type LimitedBy, RateAttribution } from './rate-attribution.js';
import { EmolabelError } from '../errors.js';

/**
 * How an attempt sent to the provider ended, as the request limit learns from it: `rate-limited`
 * (HTTP 429) and `overloaded` (503, 529, or no answer within the timeout) say the provider has more
 * than it takes, and cut an adaptive limit; `failed` is any other failure.
 */
export type ProviderOutcome = 'answered' | 'rate-limited' | 'overloaded' | 'failed';

/** Where the concurrency of a run went: what `--concurrency` became and what held the rate. */
export interface RequestLimitReport {
  /** `fixed` (`--concurrency N`) or `adaptive` (`--concurrency auto`). */
  readonly mode: 'fixed' | 'adaptive';
  readonly initial: number;
  /** The limit when the report was made. */
  readonly final: number;
  /** The highest limit reached. */
  readonly peak: number;
  /** The ceiling (`--max-concurrency`; the limit itself when fixed). */
  readonly max: number;
  /** Attempts sent to the provider (retries included). */
  readonly sent: number;
  /** Attempts the provider answered. */
  readonly answered: number;
  /** Attempts the provider turned away as rate-limited (HTTP 429). */
  readonly pushBacks: number;
  /** Attempts that found the provider overloaded (503, 529) or unable to answer within the timeout. */
  readonly overloads: number;
  /** Times the adaptive limit was cut after a 429 or an overload. */
  readonly decreases: number;
  /** Answers that would have added a slot but came back slower, a queue building at the provider. */
  readonly latencyHolds: number;
  /** Milliseconds from the first request to the last answer. */
  readonly elapsedMs: number;
  /** Milliseconds of `elapsedMs` each cause held the rate (see {@link LimitedBy}). */
  readonly limitedMs: Readonly<Record<LimitedBy, number>>;
}

/**
 * The requests-in-flight limit of a run (version `v1`): a fixed number, or one that follows the
 * provider ({@link createRequestLimit}). The request-limit middleware schedules requests through it;
 * a middleware next to the provider (`providerSignalsMiddleware`) tells it when each attempt leaves
 * and how it ended, which is what the adaptive limit learns from.
 */
export interface RequestLimit {
  readonly specificationVersion: 'v1';
  /** Requests allowed in flight now. */
  readonly current: number;
  /** Runs `task` once a slot is free, first come first served; rejects when `signal` aborts while it waits. */
  schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** An attempt leaves for the provider; call the function returned when it ends. */
  sent(): (outcome: ProviderOutcome) => void;
  /** Called with the new limit whenever it changes; returns a function that stops the calls. */
  onChange(listener: (limit: number) => void): () => void;
  /**
   * Whether items are still to come (the pipeline says so as it starts and ends a batch of items):
   * free slots once the input is used up are the run ending, not the input holding the rate.
   */
  setInputOpen(open: boolean): void;
  report(): RequestLimitReport;
}

/** What `concurrency: 'auto'` starts at: enough to learn quickly, few enough to be polite to a small server. */
export const AUTO_INITIAL_CONCURRENCY = 4;
/** The default ceiling of `concurrency: 'auto'` (`--max-concurrency`). */
export const AUTO_MAX_CONCURRENCY = 64;

export interface RequestLimitOptions {
  /** A number: that many requests in flight, always. `auto`: start at {@link AUTO_INITIAL_CONCURRENCY} and follow the provider. */
  readonly concurrency: number | 'auto';
  /** The ceiling of `auto`. @default {@link AUTO_MAX_CONCURRENCY} */
  readonly maxConcurrency?: number;
  /**
   * Requests holding a slot while they wait for the provider's limits or a backoff (the resilience
   * middleware's `stats.waitingForLimits` and `stats.backingOff`): not demand the limit should grow for. @default none
   */
  readonly heldBack?: () => HeldBack;
  /** @default Date.now */
  readonly now?: () => number;
}

/** What a push-back multiplies the adaptive limit by. */
const DECREASE = 0.7;
/**
 * While the median of the last answers is more than this many times its lowest, answers add no
 * slot: a server that queues what it cannot run at once (Ollama, vLLM, a llama.cpp server) answers
 * later instead of with a 429, and more requests in flight would only wait there until they time out.
 */
const QUEUEING_LATENCY_RATIO = 2;

const NOTHING_HELD_BACK: HeldBack = { limits: 0, backoff: 0 };

/** How often, while requests are under way, what holds the rate is sampled between events (ms). */
const SAMPLE_MS = 50;

/**
 * A limit on requests in flight. `auto` is additive increase, multiplicative decrease, as TCP's
 * congestion control: while every slot is at the provider and more requests wait, each answer adds
 * a slot (the limit doubles per round trip) until the first 429, then one slot per round trip; a
 * 429 cuts the limit by 30% (as CUBIC does; halving, as Reno does, measured 69% of a capped
 * account's rate against 74%: bench/adaptive-concurrency.ts), at most once per round trip's worth of requests. Slots held by requests
 * that wait for the `rpm`/`tpm` bucket or a backoff do not count as demand, so a limit the provider
 * states (flags or its rate-limit headers) is followed by the bucket, not probed with 429s.
 */
export function createRequestLimit(options: RequestLimitOptions): RequestLimit {
  const now = options.now ?? Date.now;
  const adaptive = options.concurrency === 'auto';
  const max = options.concurrency === 'auto' ? (options.maxConcurrency ?? AUTO_MAX_CONCURRENCY) : options.concurrency;
  checkLimit(adaptive ? 'maxConcurrency' : 'concurrency', max);
  const initial = adaptive ? Math.min(AUTO_INITIAL_CONCURRENCY, max) : max;
  const queue = new PQueue({ concurrency: initial });
  const listeners = new Set<(limit: number) => void>();
  const attribution = new RateAttribution(now);
  let limit = initial;
  let peak = initial;
  let threshold = max;
  let credit = 0;
  const heldBack = options.heldBack ?? (() => NOTHING_HELD_BACK);
  let sent = 0;
  let answered = 0;
  let pushBacks = 0;
  let overloads = 0;
  let decreases = 0;
  const latency = new LatencyTrend();
  let latencyHolds = 0;
  // Growth held by a queue building at the provider: its time is the provider's, not the limit's.
  let providerQueueing = false;
  let inputOpen = true;
  let sentAtLastDecrease = Number.NEGATIVE_INFINITY;
  let limitAtLastDecrease = 0;

  const observe = () => attribution.observe({ limit, inFlight: queue.pending, waiting: queue.size, heldBack: heldBack(), providerQueueing, inputOpen });
  for (const event of ['add', 'active', 'next'] as const) queue.on(event, observe);
  // Waits for the provider's limits begin and end inside the run middleware, between these events: sampled too.
  let sampler: NodeJS.Timeout | undefined;
  queue.on('active', () => {
    sampler ??= setInterval(observe, SAMPLE_MS).unref();
  });
  queue.on('idle', () => {
    clearInterval(sampler);
    sampler = undefined;
    observe();
  });
  const setLimit = (next: number) => {
    const clamped = Math.max(1, Math.min(max, next));
    if (clamped === limit) return;
    limit = clamped;
    peak = Math.max(peak, limit);
    queue.concurrency = limit;
    for (const listener of listeners) listener(limit);
  };
  const grow = () => {
    // Slow start: a slot per answer. After the first cut a slot per round trip, probing for more
    // (climbing back faster, to 90% of where the provider pushed back, drew more 429s and their
    // Retry-After pauses, and no more rate: bench/adaptive-concurrency.ts).
    if (limit < threshold) return setLimit(limit + 1);
    credit += 1 / limit;
    if (credit >= 1) {
      credit -= 1;
      setLimit(limit + 1);
    }
  };
  const cut = () => {
    // Every request of the window that tripped the limit comes back 429 at once: cut once for them all.
    if (sent - sentAtLastDecrease < limitAtLastDecrease) return;
    sentAtLastDecrease = sent;
    limitAtLastDecrease = limit;
    decreases += 1;
    threshold = Math.max(1, Math.floor(limit * DECREASE));
    credit = 0;
    setLimit(threshold);
  };

  return {
    specificationVersion: 'v1',
    get current() {
      return limit;
    },
    async schedule(task, signal) {
      return queue.add(AsyncResource.bind(task), { signal }) as ReturnType<typeof task>;
    },
    sent() {
      sent += 1;
      const sentAt = now();
      observe();
      return (outcome) => {
        // Every slot busy (none held back by the provider's limits) and requests waiting for one:
        // the limit, not the bucket or the input, holds the rate.
        const held = heldBack();
        const saturated = queue.pending - held.limits - held.backoff >= limit && queue.size > 0;
        if (outcome === 'rate-limited') pushBacks += 1;
        if (outcome === 'overloaded') overloads += 1;
        if (outcome === 'answered') {
          answered += 1;
          latency.add(now() - sentAt);
          const queueing = adaptive && latency.queueing(QUEUEING_LATENCY_RATIO);
          providerQueueing = saturated && queueing;
          if (providerQueueing) latencyHolds += 1;
          else if (adaptive && saturated) grow();
        } else if (adaptive && outcome !== 'failed') {
          cut();
        }
        observe();
      };
    },
    setInputOpen(open) {
      observe();
      inputOpen = open;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    report() {
      return {
        mode: adaptive ? 'adaptive' : 'fixed', initial, final: limit, peak, max, sent, answered, pushBacks, overloads, decreases, latencyHolds,
        elapsedMs: attribution.elapsedMs(), limitedMs: attribution.limitedMs(),
      };
    },
  };
}

function checkLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new EmolabelError('invalid_option', `Expected \`${name}\` to be a whole number from 1 and up${name === 'concurrency' ? ' (or `auto`)' : ''}, got \`${value}\` (${typeof value}).`);
  }
}

