import { SingleBar } from 'cli-progress';
import type { CliIo } from './cli-io.js';
import type { BatchProgress } from '../runs/batch/batch-rounds.js';

/** The provider states of the batches, counted: `in_progress ×2, completed`. */
function states(progress: BatchProgress): string {
  const counts = new Map<string, number>();
  for (const batch of progress.batches) counts.set(batch.status?.providerState ?? 'creating', (counts.get(batch.status?.providerState ?? 'creating') ?? 0) + 1);
  return [...counts].map(([state, count]) => (count > 1 ? `${state} ×${count}` : state)).join(', ');
}

/**
 * Shows where a run's batches stand after each poll: a bar of answered requests on a terminal
 * (submitted, done, failed, the providers' states), else a line whenever something changed.
 */
export function createBatchProgress(io: CliIo, quiet = false): { update(progress: BatchProgress): void; stop(): void } {
  if (quiet) return { update() {}, stop() {} };
  let bar: SingleBar | undefined;
  let last = '';
  return {
    update(progress) {
      const payload = { failed: progress.failed, batches: progress.batches.length, states: states(progress) };
      if (io.stderr.isTTY) {
        bar ??= new SingleBar({ stream: io.stderr as NodeJS.WriteStream, format: 'batches |{bar}| {value}/{total} answered | {failed} failed | {batches} batches: {states}', hideCursor: true });
        if (bar.getTotal() !== progress.total) bar.start(progress.total, progress.done, payload);
        else bar.update(progress.done, payload);
        return;
      }
      const line = `batches: ${progress.batches.length} (${payload.states}), ${progress.total} requests submitted, ${progress.done} done, ${progress.failed} failed\n`;
      if (line !== last) io.stderr.write(line);
      last = line;
    },
    stop: () => bar?.stop(),
  };
}
