import { copyFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation } from '../../src/annotators/annotator.js';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';

const paid = (): Annotation => ({ status: 'ok', label: 'Happy', confidence: 0.9, usage: { inputTokens: 1000, outputTokens: 20 }, costUsd: 0.01 });

/** A pid no process has: far above Linux's pid_max. */
const DEAD_PID = 2 ** 30;

describe('a run is leased to one session at a time', () => {
  const { dir, cleanup } = makeTempDir('emolabel-lease-');
  const images = join(dir, 'images');
  beforeAll(() => {
    mkdirSync(images);
    ([1, 2, 3] as const).forEach((face) => copyFileSync(demoFace(face), join(images, `face-${face}.jpg`)));
  });
  afterAll(cleanup);
  const spec = () => runSpecOf([images], { model: 'mock:scripted', faces: 'none' });

  it('refuses a second session on the same unfinished run, naming who runs it, and leaves the first one alone', async () => {
    const file = join(dir, 'two-sessions.db');
    const first = RunStore.open(file);
    const second = RunStore.open(file);
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new MockAnnotator([paid]);
    const inner = slow.annotate.bind(slow);
    slow.annotate = async (request) => {
      await gate;
      return inner(request);
    };
    let started: (() => void) | undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const firstRun = runAnnotation(spec(), { store: first, annotator: slow, concurrency: 1, onRunStart: () => started?.() });
    await running;
    const other = new MockAnnotator([paid]);
    const refused = runAnnotation(spec(), { store: second, annotator: other, concurrency: 1 });
    await expect(refused).rejects.toThrow(new RegExp(`^Run r\\S+ is being run by pid ${process.pid} on host ${hostname()} since \\d{4}-`));
    await expect(refused).rejects.toThrow(/wait for it to finish, or pass `takeOver`/);
    expect(other.calls).toHaveLength(0);
    release?.();
    const outcome = await firstRun;
    expect(outcome.run).toMatchObject({ status: 'done', done: 3 });
    expect(first.getLease(outcome.run.id)).toBeUndefined();
    first.close();
    second.close();
  });

  it('takes over a lease whose holder died on this host, or whose heartbeat stopped on another host', async () => {
    const store = RunStore.open(join(dir, 'takeover.db'));
    const stop = new AbortController();
    const interrupted = await runAnnotation(spec(), { store, annotator: new MockAnnotator([paid]), concurrency: 1, stopSignal: stop.signal, onResult: () => stop.abort() });
    const runId = interrupted.run.id;
    const old = new Date(Date.now() - 3_600_000).toISOString();
    store.acquireLease(runId, { token: 'crashed', pid: DEAD_PID, host: hostname() }, () => true);
    expect(store.getLease(runId)).toMatchObject({ pid: DEAD_PID, host: hostname() });
    const resumed = await runAnnotation(spec(), { store, annotator: new MockAnnotator([paid]), concurrency: 1 });
    expect(resumed.run).toMatchObject({ id: runId, status: 'done', done: 3 });

    const next = await runAnnotation(runSpecOf([images], { model: 'mock:scripted', faces: 'none', frames: 2 }), { store, annotator: new MockAnnotator([paid]), concurrency: 1, stopSignal: AbortSignal.abort() });
    store.acquireLease(next.run.id, { token: 'elsewhere', pid: process.pid, host: 'another-host', now: old }, () => true);
    const finished = await runAnnotation({ resume: next.run.id }, { store, annotator: new MockAnnotator([paid]), concurrency: 1 });
    expect(finished.run).toMatchObject({ status: 'done', done: 3 });
    store.close();
  });

  it('refuses a lease held from another host with a fresh heartbeat, unless told to take it over', async () => {
    const store = RunStore.open(join(dir, 'other-host.db'));
    const first = await runAnnotation(spec(), { store, annotator: new MockAnnotator([paid]), concurrency: 1, stopSignal: AbortSignal.abort() });
    store.acquireLease(first.run.id, { token: 'elsewhere', pid: 4242, host: 'another-host' }, () => true);
    await expect(runAnnotation(spec(), { store, annotator: new MockAnnotator([paid]), concurrency: 1 })).rejects.toThrow(/is being run by pid 4242 on host another-host/);
    const taken = await runAnnotation(spec(), { store, annotator: new MockAnnotator([paid]), concurrency: 1, takeOver: true });
    expect(taken.run).toMatchObject({ id: first.run.id, status: 'done' });
    store.close();
  });

  it('two sessions starting the same command at once share one run: one runs it, the other is refused', async () => {
    const file = join(dir, 'same-moment.db');
    const stores = [RunStore.open(file), RunStore.open(file)];
    try {
      // prepare() is where a real annotator asks the provider for its models: both sessions are past
      // their "is there an unfinished run?" look before either records one.
      let arrived = 0;
      let bothArrived: () => void = () => undefined;
      const meeting = new Promise<void>((resolve) => (bothArrived = resolve));
      const sessions = stores.map((store) => {
        const annotator = Object.assign(new MockAnnotator([paid, paid, paid]), {
          prepare: async () => {
            arrived += 1;
            if (arrived === 2) bothArrived();
            await meeting;
          },
        });
        return runAnnotation(spec(), { store, annotator }).then(() => 'ran', (error: Error) => error.message);
      });
      const outcomes = await Promise.all(sessions);
      expect(outcomes.filter((outcome) => outcome === 'ran')).toHaveLength(1);
      expect(outcomes.find((outcome) => outcome !== 'ran')).toMatch(/is being run by pid/);
      expect(stores[0]?.listRuns()).toHaveLength(1);
    } finally {
      stores.forEach((store) => store.close());
    }
  });
});
