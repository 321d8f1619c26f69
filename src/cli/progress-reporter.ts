import { SingleBar } from 'cli-progress';
import type { CliIo } from './cli-io.js';
import { type ClipResult, isFailure } from '../pipeline/clip-result.js';

/** Shows how a run stands: a bar on a TTY, a line every few seconds otherwise, nothing with `quiet`. */
export interface ProgressReporter {
  /** `done`: items already finished (a resumed run). */
  start(total: number, done?: number): void;
  update(results: readonly ClipResult[], done: number): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly quiet?: boolean;
  /** A line is printed at most this often when stderr is not a terminal. @default 5000 */
  readonly intervalMs?: number;
  /** Extra state appended to the line, e.g. retries; empty when there is nothing to say. */
  readonly detail?: () => string;
  /** Said right after the rate, where a narrow terminal still shows it (`at concurrency 12`); empty for nothing. */
  readonly pace?: () => string;
}

export function createProgressReporter(io: CliIo, options: ProgressOptions = {}): ProgressReporter {
  let failures = 0;
  let costUsd = 0;
  let unpriced = 0;
  let tokens = 0;
  let reasoningTokens = 0;
  let total = 0;
  if (options.quiet) return { start() {}, update() {}, stop() {} };
  const detail = () => {
    const text = options.detail?.() ?? '';
    return text ? ` | ${text}` : '';
  };
  const pace = () => {
    const text = options.pace?.() ?? '';
    return text ? ` ${text}` : '';
  };
  const tally = (results: readonly ClipResult[]) => {
    failures += results.filter(isFailure).length;
    costUsd += results.reduce((sum, result) => sum + (result.costUsd ?? 0), 0);
    unpriced += results.filter((result) => result.costUsd === null).length;
    tokens += results.reduce((sum, result) => sum + result.usage.inputTokens + result.usage.outputTokens, 0);
    reasoningTokens += results.reduce((sum, result) => sum + (result.usage.reasoningTokens ?? 0), 0);
  };
  // Reasoning shown apart once there is some, so a starved output budget can be seen.
  // Items of unknown price are named, so the dollar figure is not read as the whole bill.
  const costText = () => (unpriced > 0 ? `${costUsd.toFixed(4)} + ${unpriced} unpriced` : costUsd.toFixed(4));
  const tokenText = () => (reasoningTokens > 0 ? `${tokens} (${reasoningTokens} reasoning)` : String(tokens));
  if (io.stderr.isTTY) {
    const bar = new SingleBar({
      stream: io.stderr as NodeJS.WriteStream,
      format: 'annotating |{bar}| {value}/{total} items | {rate}/s{pace} | ETA {eta_formatted} | {tokens} tok | ${cost} | {failures} failed{detail}',
      hideCursor: true,
      etaBuffer: 20,
    });
    const started = Date.now();
    const payload = (done: number) => ({
      failures, tokens: tokenText(), cost: costText(), detail: detail(), pace: pace(), rate: (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(2),
    });
    return {
      start: (count, done = 0) => bar.start(count, done, payload(done)),
      update: (results, done) => {
        tally(results);
        bar.update(done, payload(done));
      },
      stop: () => bar.stop(),
    };
  }
  const intervalMs = options.intervalMs ?? 5000;
  let lastLine = 0;
  let started = 0;
  let doneAtStart = 0;
  const line = (done: number) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = (done - doneAtStart) / Math.max(0.001, seconds);
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    io.stderr.write(`annotating: ${done}/${total} items, ${rate.toFixed(2)}/s${pace()}, ETA ${eta}s, ${tokenText()} tokens, $${costText()}, ${failures} failed${detail().replace(' |', ',')}\n`);
  };
  return {
    start(count, done = 0) {
      total = count;
      doneAtStart = done;
      started = Date.now();
      lastLine = started;
    },
    update(results, done) {
      tally(results);
      if (Date.now() - lastLine >= intervalMs || done === total) {
        lastLine = Date.now();
        line(done);
      }
    },
    stop() {},
  };
}
