import type { Command } from 'commander';
import { integerOption, numberOption } from './parse-option.js';
import type { ResilientAnnotatorOptions } from '../runs/resilience/resilient-annotator.js';
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
    .option('--rpm <n>', 'requests per minute the provider allows (default: the limit it states in its answers, else none)', numberOption(0.001))
    .option('--tpm <n>', 'tokens per minute the provider allows, input + output (default: the limit it states, else none)', numberOption(1))
    .option('--timeout <seconds>', 'abandon and retry a request that takes longer', numberOption(0.001), 60)
    .option('--retries <n>', 'tries after the first for a request that failed in a way that can heal', integerOption(0), 4);
}

/** The resilience middleware options of these flags (it applies to metered annotators only). */
export function resilienceOptionsFromFlags(flags: ProviderLimitFlags, stats?: ResilienceStats): ResilientAnnotatorOptions {
  return { rpm: flags.rpm, tpm: flags.tpm, timeoutMs: flags.timeout * 1000, retry: { maxAttempts: flags.retries + 1 }, ...(stats ? { stats } : {}) };
}
