import type { CliIo } from './cli-io.js';
import { EXIT } from './cli-io.js';

/**
 * The first Ctrl-C (or SIGTERM, SIGHUP) stops new work: started items finish and are saved, but no
 * failed request is tried again, so an item waiting on a hung provider is left unfinished (not
 * saved as an error) and redone on resume. A second one exits at once — what was saved stays
 * saved, and unfinished items are redone on resume.
 */
export function createInterruptController(io: CliIo, exit: (code: number) => void = (code) => process.exit(code)): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const unsubscribe = io.onInterrupt?.((signal) => {
    const name = signal === undefined || signal === 'SIGINT' ? 'Ctrl-C' : signal;
    if (controller.signal.aborted) {
      io.stderr.write('\nemolabel: stopped now; unfinished items will be redone when the run is resumed.\n');
      exit(EXIT.interrupted);
      return;
    }
    io.stderr.write(`\nemolabel: stopping — finishing and saving the items in progress, retrying nothing (${name} again to stop at once)…\n`);
    controller.abort();
  });
  return { signal: controller.signal, dispose: () => unsubscribe?.() };
}
