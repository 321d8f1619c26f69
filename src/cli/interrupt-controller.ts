import type { CliIo } from './cli-io.js';
import { EXIT } from './cli-io.js';

/**
 * The first Ctrl-C stops new work and lets started items finish and be saved (a second one is not
 * needed); a second Ctrl-C exits at once — what was saved stays saved, and unfinished items are
 * redone on resume.
 */
export function createInterruptController(io: CliIo, exit: (code: number) => void = (code) => process.exit(code)): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const unsubscribe = io.onInterrupt?.(() => {
    if (controller.signal.aborted) {
      io.stderr.write('\nemolabel: stopped now; unfinished items will be redone when the run is resumed.\n');
      exit(EXIT.interrupted);
      return;
    }
    io.stderr.write('\nemolabel: stopping — finishing and saving the items in progress (Ctrl-C again to stop at once)…\n');
    controller.abort();
  });
  return { signal: controller.signal, dispose: () => unsubscribe?.() };
}
