import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full collection before each labelled sample, so heap figures are what is retained, not garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** One reading of the sampler. */
export interface RssSample {
  /** Seconds since the sampler started. */
  readonly seconds: number;
  /** This process's resident set size, bytes. */
  readonly rss: number;
  /** V8 heap in use, bytes. */
  readonly heapUsed: number;
  /** The other process's resident set size, bytes (undefined when not watched or not readable). */
  readonly otherRss?: number;
  /** Items done when the sample was taken. */
  readonly done: number;
}

export interface RssSampler {
  readonly samples: readonly RssSample[];
  /** Takes a sample now, after a full garbage collection, labelled `point` (kept apart from the timed samples). */
  samplePoint(point: string): void;
  readonly points: ReadonlyArray<RssSample & { readonly point: string }>;
  /** Takes one more sample now and stops sampling. */
  stop(): void;
}

/**
 * Samples `process.memoryUsage()` (and another process's RSS, e.g. the fake provider's) every
 * `intervalMs`, with the number of items done at that moment.
 */
export function startRssSampler(options: { intervalMs: number; done: () => number; otherRss?: () => number | undefined }): RssSampler {
  const started = performance.now();
  const samples: RssSample[] = [];
  const take = () => {
    const usage = process.memoryUsage();
    samples.push({ seconds: (performance.now() - started) / 1000, rss: usage.rss, heapUsed: usage.heapUsed, otherRss: options.otherRss?.(), done: options.done() });
  };
  take();
  const timer = setInterval(take, options.intervalMs);
  const points: Array<RssSample & { point: string }> = [];
  return {
    samples,
    points,
    samplePoint: (point) => {
      collectGarbage();
      take();
      const sample = samples[samples.length - 1];
      if (sample) points.push({ ...sample, point });
    },
    stop: () => {
      clearInterval(timer);
      take();
    },
  };
}

export const mebibytes = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)}`);
