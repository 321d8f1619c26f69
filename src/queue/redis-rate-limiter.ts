import type { Redis } from 'ioredis';
import { DEFAULT_BURST_SECONDS, type RateLimiter } from '../runs/resilience/token-bucket.js';

// One provider's two buckets (requests, tokens) in one hash, refilled and taken from atomically on
// Redis's own clock, so every worker process on every machine shares them. Returns the ms to wait
// (0: taken). A rate of 0 is no limit on that bucket.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local reqRate, reqCap, tokRate, tokCap, need = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local h = redis.call('HMGET', KEYS[1], 'req', 'tok', 'at', 'paused')
local elapsed = math.max(0, now - (tonumber(h[3]) or now))
local req = math.min(reqCap, (tonumber(h[1]) or reqCap) + elapsed * reqRate)
local tok = math.min(tokCap, (tonumber(h[2]) or tokCap) + elapsed * tokRate)
local wait = math.max(0, (tonumber(h[4]) or 0) - now)
if reqRate > 0 and req < 1 - 1e-9 then wait = math.max(wait, math.ceil((1 - req) / reqRate)) end
local tneed = math.min(need, tokCap)
if tokRate > 0 and tok < tneed - 1e-9 then wait = math.max(wait, math.ceil((tneed - tok) / tokRate)) end
if wait <= 0 then
  if reqRate > 0 then req = req - 1 end
  if tokRate > 0 then tok = tok - need end
  wait = 0
end
redis.call('HSET', KEYS[1], 'req', tostring(req), 'tok', tostring(tok), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 3600000)
return wait
`;

// Gives back `ARGV[1]` tokens (estimate minus actual; negative takes more), capped at the capacity.
const SETTLE = `
local tok = tonumber(redis.call('HGET', KEYS[1], 'tok'))
if tok == nil then return 0 end
redis.call('HSET', KEYS[1], 'tok', tostring(math.min(tonumber(ARGV[2]), tok + tonumber(ARGV[1]))))
return 0
`;

// Holds every request on the bucket until `ARGV[1]` ms from now; a later pause never shortens one.
const PAUSE = `
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused')) or 0
if until_ > paused then redis.call('HSET', KEYS[1], 'paused', tostring(until_)) end
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
`;

export interface RedisRateLimiterOptions {
  readonly redis: Redis;
  /** The bucket's key: one per provider. */
  readonly key: string;
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  /** @default 10 */
  readonly burstSeconds?: number;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * The `--rpm`/`--tpm` limits held in Redis for every worker process together: the same
 * continuously refilling buckets as the in-process `TokenBucket`, kept in one hash per provider and updated
 * by Lua scripts (atomic, on Redis's clock). A 429's `Retry-After` pauses every worker.
 */
export interface RedisRateLimiter extends RateLimiter {
  /** Takes one request and `tokens` tokens if they are free now (0), else takes nothing and says how many ms to wait. */
  tryAcquire(tokens: number): Promise<number>;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  const burstSeconds = options.burstSeconds ?? DEFAULT_BURST_SECONDS;
  const rate = (perMinute: number | undefined) => (perMinute === undefined ? 0 : perMinute / 60_000);
  const capacity = (perMinute: number | undefined) => (perMinute === undefined ? 0 : Math.max(1, (perMinute * burstSeconds) / 60));
  const args = [rate(options.requestsPerMinute), capacity(options.requestsPerMinute), rate(options.tokensPerMinute), capacity(options.tokensPerMinute)];
  const unlimited = options.requestsPerMinute === undefined && options.tokensPerMinute === undefined;
  const report = () => undefined;
  const tryAcquire = async (tokens: number) => (unlimited ? 0 : Number(await options.redis.eval(ACQUIRE, 1, options.key, ...args, Math.max(0, tokens))));
  return {
    tryAcquire,
    async acquire(tokens, signal) {
      for (;;) {
        signal?.throwIfAborted();
        const wait = await tryAcquire(tokens);
        if (wait <= 0) return;
        await sleep(wait, signal);
      }
    },
    settle(estimate, actual) {
      if (options.tokensPerMinute === undefined) return;
      options.redis.eval(SETTLE, 1, options.key, estimate - actual, args[3] ?? 0).catch(report);
    },
    pause(ms) {
      if (unlimited) return;
      options.redis.eval(PAUSE, 1, options.key, Math.max(0, Math.round(ms))).catch(report);
    },
  };
}
