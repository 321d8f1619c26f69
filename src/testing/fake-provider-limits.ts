import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeResponder, FakeResponse } from './fake-http-server.js';

/** How a fake provider account limits its client, as real ones do: latency, a rate, a cap on requests at once. */
export interface FakeProviderLimits {
  /** Milliseconds each answer takes. @default 0 */
  readonly latencyMs?: number;
  /** Instead of `latencyMs`: each answer takes a random time between these (LLM latency spreads this much). */
  readonly latencySpreadMs?: readonly [number, number];
  /** Requests per minute the account allows; a request over it gets a 429 with `retry-after-ms`. */
  readonly requestsPerMinute?: number;
  /** Seconds of `requestsPerMinute` the account lets through at once (its bucket). @default 15 */
  readonly burstSeconds?: number;
  /** Requests answered at once; one more gets a 429 (a provider's concurrency cap). */
  readonly maxInFlight?: number;
  /**
   * Requests worked on at once; the others wait their turn, unanswered, as Ollama, vLLM and
   * llama.cpp servers queue what they cannot run (no 429: answers just come later).
   */
  readonly parallel?: number;
  /** Sends OpenAI's `x-ratelimit-*` headers on every answer. @default true when `requestsPerMinute` is set */
  readonly headers?: boolean;
}

/** What a limited fake account saw: the most requests it answered at once, and how many it turned away. */
export interface FakeLimitStats {
  peakInFlight: number;
  rejected: number;
  answered: number;
}

function tooMany(message: string, retryAfterMs: number, headers: Record<string, string>): FakeResponse {
  return {
    status: 429,
    headers: { ...headers, 'retry-after-ms': String(retryAfterMs), 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    body: { error: { message, type: 'requests', param: null, code: 'rate_limit_exceeded' } },
  };
}

/**
 * Puts an account's limits in front of a fake server's responder: the rate is a continuously
 * refilling bucket (`requestsPerMinute`, `burstSeconds` of it at once), the cap counts requests
 * being answered; requests over either get OpenAI's 429 body with `retry-after-ms`, and every
 * answer carries `x-ratelimit-limit-requests` / `x-ratelimit-remaining-requests` when `headers`.
 */
export function limitFakeProvider(limits: FakeProviderLimits, respond: FakeResponder): { respond: FakeResponder; stats: FakeLimitStats } {
  const stats: FakeLimitStats = { peakInFlight: 0, rejected: 0, answered: 0 };
  const rpm = limits.requestsPerMinute;
  const capacity = rpm === undefined ? Number.POSITIVE_INFINITY : Math.max(1, (rpm * (limits.burstSeconds ?? 15)) / 60);
  let level = capacity;
  let updatedAt = Date.now();
  let inFlight = 0;
  let working = 0;
  const turns: Array<() => void> = [];
  const takeTurn = async () => {
    if (limits.parallel === undefined) return;
    if (working >= limits.parallel) await new Promise<void>((resolve) => turns.push(resolve));
    working += 1;
  };
  const endTurn = () => {
    if (limits.parallel === undefined) return;
    working -= 1;
    turns.shift()?.();
  };
  const sendHeaders = limits.headers ?? rpm !== undefined;
  const headersNow = (): Record<string, string> => (sendHeaders && rpm !== undefined
    ? { 'x-ratelimit-limit-requests': String(rpm), 'x-ratelimit-remaining-requests': String(Math.max(0, Math.floor(level))), 'x-ratelimit-reset-requests': `${Math.ceil(60_000 / rpm)}ms` }
    : {});
  const limited: FakeResponder = async (request, mode) => {
    if (request.method !== 'POST') return respond(request, mode);
    if (rpm !== undefined) {
      const now = Date.now();
      level = Math.min(capacity, level + ((now - updatedAt) * rpm) / 60_000);
      updatedAt = now;
      if (level < 1) {
        stats.rejected += 1;
        const wait = Math.ceil(((1 - level) * 60_000) / rpm);
        return tooMany(`Rate limit reached for requests per min (RPM): Limit ${rpm}. Please try again in ${wait}ms.`, wait, headersNow());
      }
      level -= 1;
    }
    if (limits.maxInFlight !== undefined && inFlight >= limits.maxInFlight) {
      stats.rejected += 1;
      return tooMany(`Too many concurrent requests: limit ${limits.maxInFlight}. Please try again shortly.`, Math.max(50, limits.latencyMs ?? 0), headersNow());
    }
    inFlight += 1;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    try {
      await takeTurn();
      try {
        const [low, high] = limits.latencySpreadMs ?? [limits.latencyMs ?? 0, limits.latencyMs ?? 0];
        const delay = low + Math.random() * (high - low);
        if (delay > 0) await sleep(delay);
      } finally {
        endTurn();
      }
      const response = await respond(request, mode);
      stats.answered += 1;
      return { ...response, headers: { ...headersNow(), ...response.headers } };
    } finally {
      inFlight -= 1;
    }
  };
  return { respond: limited, stats };
}
