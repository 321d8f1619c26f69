import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkSignals } from '../../src/annotators/link-signals.js';

describe('linkSignals: AbortSignal.any that lets go of its sources', () => {
  it('aborts with the reason of the first source that aborts, and then leaves the sources', () => {
    const run = new AbortController();
    const attempt = new AbortController();
    const { signal } = linkSignals([run.signal, undefined, attempt.signal]);
    expect(signal.aborted).toBe(false);
    attempt.abort(new Error('timed out'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('timed out');
    run.abort(new Error('later'));
    expect((signal.reason as Error).message).toBe('timed out');
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('is aborted at once when a source already is', () => {
    const { signal } = linkSignals([AbortSignal.abort('stopped'), new AbortController().signal]);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('stopped');
  });

  it('after unlink, no listener is left on the sources and their aborts no longer reach it', () => {
    const run = new AbortController();
    const timeout = new AbortController();
    const linked = linkSignals([run.signal, timeout.signal]);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    linked.unlink();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(timeout.signal, 'abort')).toHaveLength(0);
    run.abort();
    expect(linked.signal.aborted).toBe(false);
  });

  it('lets many requests in flight share one source without a listener-leak warning, and leaves none behind', async () => {
    const run = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const links = Array.from({ length: 40 }, () => linkSignals([run.signal, new AbortController().signal]));
      expect(getEventListeners(run.signal, 'abort')).toHaveLength(40);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
      links.forEach((link) => link.unlink());
      expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
