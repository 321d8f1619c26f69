import { setMaxListeners } from 'node:events';

/** A signal that follows others until it is unlinked; see {@link linkSignals}. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Detaches from the source signals; call it once the work the signal guards is over. */
  unlink(): void;
}

/**
 * A signal that aborts, with the same reason, as soon as any of `signals` does, like
 * `AbortSignal.any`, but detached from its sources by `unlink()`. Use it where the sources outlive
 * the work (a run's signal, a timeout): on Node 20 a composite from `AbortSignal.any` that has an
 * abort listener (the provider SDKs add one per request and never remove it) stays reachable from
 * its sources, so a long run kept 1 to 2 KB per request (bench/run-memory.ts, heap snapshots).
 */
export function linkSignals(signals: ReadonlyArray<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController();
  const sources = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  const onAbort = (event: Event) => {
    unlink();
    controller.abort((event.target as AbortSignal).reason);
  };
  const unlink = () => {
    for (const source of sources) source.removeEventListener('abort', onAbort);
  };
  const aborted = sources.find((source) => source.aborted);
  if (aborted) controller.abort(aborted.reason);
  else {
    // A run's signal carries one listener per request in flight (32 at --concurrency 32), each
    // removed by unlink: Node's warning about more than 10 listeners would be noise on the console.
    setMaxListeners(0, ...sources);
    for (const source of sources) source.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: controller.signal, unlink };
}
