import type { Command } from 'commander';
import { integerOption, numberOption } from './parse-option.js';
import type { Annotator } from '../annotators/annotator.js';
import { createResilientAnnotator } from '../runs/resilience/resilient-annotator.js';
import type { ResilienceStats } from '../runs/resilience/resilience-stats.js';

/** The flags of a command that sends LLM requests: cache, budget, rate limits, timeout, retries. */
export interface ProviderLimitFlags {
  /** False with --no-cache. */
  readonly cache: boolean;
  readonly maxCost?: number;
  readonly rpm?: number;
  readonly tpm?: number;
  /** Seconds. */
  readonly timeout: number;
  readonly retries: number;
}

/** Adds `--no-cache`, `--max-cost`, `--rpm`, `--tpm`, `--timeout` and `--retries` to a command (annotate, bench). */
export function addProviderLimitOptions(command: Command, maxCostHelp: string): Command {
  return command
    .option('--no-cache', 'send every request even when the same one was answered before')
    .option('--max-cost <usd>', maxCostHelp, numberOption(0))
    .option('--rpm <n>', 'requests per minute the provider allows (no limit by default)', numberOption(0.001))
    .option('--tpm <n>', 'tokens per minute the provider allows, input + output (no limit by default)', numberOption(1))
    .option('--timeout <seconds>', 'abandon and retry a request that takes longer', numberOption(0.001), 60)
    .option('--retries <n>', 'tries after the first for a request that failed in a way that can heal', integerOption(0), 4);
}

/** The annotator timeout for these flags: a little above the resilient wrapper's, so the wrapper decides and retries. */
export const annotatorTimeoutMs = (flags: ProviderLimitFlags): number => flags.timeout * 1000 + 5000;

/** Wraps LLM annotators in the rate limits, timeout and retries of these flags; the local model runs as it is. */
export function providerLimitWrapper(flags: ProviderLimitFlags, stats?: ResilienceStats): (annotator: Annotator) => Annotator {
  return (annotator) => annotator.provider === 'local' ? annotator : createResilientAnnotator(annotator, {
    rpm: flags.rpm, tpm: flags.tpm, timeoutMs: flags.timeout * 1000, retry: { maxAttempts: flags.retries + 1 }, ...(stats ? { stats } : {}),
  });
}
