import { resolve } from 'node:path';
import { counted } from '../plural.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { withFlagNames } from '../flag-names.js';
import { createInterruptController } from '../interrupt-controller.js';
import { createBatchProgress } from '../batch-progress.js';
import { createProgressReporter } from '../progress-reporter.js';
import { type RunSpecFlags, runSpecFromFlags, type SessionFlags, sessionFromFlags } from '../run-flags.js';
import { createAnnotator } from '../../annotators/annotator-registry.js';
import { createResilienceStats, formatResilienceStats } from '../../runs/resilience/resilience-stats.js';
import { formatRequestRate } from '../format-request-rate.js';
import type { RequestLimit } from '../../pipeline/request-limit.js';
import { estimateRun } from '../../runs/estimate-run.js';
import { formatCostEstimate } from '../../runs/format-cost-estimate.js';
import { describeError, EmolabelError } from '../../errors.js';
import { runAnnotation, type RunOutcome } from '../../runs/run-annotation.js';
import { annotateOptionsOf } from '../../runs/run-spec.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';
import { RunStore } from '../../store/run-store.js';
import { formatResultsTable } from '../../output/format-table.js';
import { checkOutputWritable } from '../../output/write-output-file.js';
import { outputFormatOf, writeResults } from '../../output/write-results.js';
import { formatQueueStatus } from '../../queue/format-queue-status.js';
import { queueItemRunner, type QueueStatus } from '../../queue/queue-coordinator.js';
import { getStrategy } from '../../strategies/strategy-registry.js';
import { resolveTaxonomy } from '../../taxonomy/load-taxonomy.js';

/** Parsed flags of `emolabel annotate`. */
export interface AnnotateFlags extends RunSpecFlags, SessionFlags {
  readonly out?: string;
  readonly quiet?: boolean;
  readonly dryRun?: boolean;
  readonly db: string;
  readonly resume?: string;
  readonly queue?: string;
}

/**
 * What `emolabel annotate` does once its flags are parsed. Its own module, loaded only when the
 * command runs, so `--help` and usage errors load no model, media decoder, SDK or database.
 */
export async function runAnnotateCommand(inputs: string[], flags: AnnotateFlags, io: CliIo, setExitCode: (code: number) => void): Promise<void> {
  if (flags.out) outputFormatOf(flags.out);
  // Checked before anything is paid for; written only at the end, whole or not at all.
  if (flags.out && !flags.dryRun) await checkOutputWritable(resolve(io.cwd, flags.out), `--out ${flags.out}`);
  const taxonomy = resolveTaxonomy(flags.taxonomy);
  // An unknown strategy is a usage error for --dry-run too, not an estimate of something that cannot run.
  if (flags.strategy !== undefined) getStrategy(flags.strategy);
  const spec = flags.resume ? undefined : runSpecFromFlags(inputs, flags, io.cwd);
  if (flags.dryRun) {
    const estimate = await estimateRun(spec?.inputs ?? [], { ...annotateOptionsOf(spec ?? runSpecFromFlags(inputs, flags, io.cwd), sessionFromFlags(flags, io.cwd)), taxonomy, batch: flags.batch === true });
    io.stdout.write(formatCostEstimate(estimate));
    return setExitCode(EXIT.ok);
  }
  // A missing key or base URL fails here, before the store is opened or any work is done.
  // With --queue the workers' machines hold the keys, not this one.
  if (spec && !flags.queue) createAnnotator(spec.model, spec.annotatorSettings).checkReady?.();
  const resilienceStats = createResilienceStats();
  let queueStatus: QueueStatus | undefined;
  const itemRunner = flags.queue ? queueItemRunner({ url: flags.queue, onStatus: (status) => (queueStatus = status) }) : undefined;
  let requestLimit: RequestLimit | undefined;
  // `auto` changes as it learns: the progress line shows where it stands.
  // Not in batch mode, where the provider sets the pace and no request waits for a slot.
  const limitNow = () => (requestLimit && !flags.batch && requestLimit.report().mode === 'adaptive' ? `at concurrency ${requestLimit.current}` : '');
  const detail = () => [queueStatus && formatQueueStatus(queueStatus), formatResilienceStats(resilienceStats)].filter(Boolean).join(' | ');
  const progress = createProgressReporter(io, { quiet: flags.quiet, detail, pace: limitNow });
  const batchProgress = createBatchProgress(io, flags.quiet);
  const session = sessionFromFlags(flags, io.cwd, resilienceStats);
  const interrupt = createInterruptController(io);
  const store = RunStore.open(resolve(io.cwd, flags.db));
  let outcome: RunOutcome;
  try {
    outcome = await runAnnotation(spec ?? { resume: flags.resume ?? '' }, {
      ...session,
      ...(session.batch ? { batch: { ...session.batch, onProgress: (batches) => batchProgress.update(batches) } } : {}),
      store,
      ...(itemRunner ? { itemRunner } : {}),
      onRequestLimit: (limit) => void (requestLimit = limit),
      stopSignal: interrupt.signal,
      onRunStart: (run, { total, done, resumed }) => {
        if (!flags.quiet) io.stderr.write(`${resumed ? 'resuming' : 'run'} ${run.id}: ${counted(total, 'item')}${resumed ? `, ${done} already done` : ''}\n`);
        progress.start(total, done);
      },
      onResult: (batch, { done }) => progress.update(batch, done),
    });
  } finally {
    progress.stop();
    batchProgress.stop();
    interrupt.dispose();
    store.close();
  }
  const { results, summary, run, stopped } = outcome;
  const labels = run.labels.length > 0 ? run.labels : taxonomy.labels;
  if (flags.out) {
    try {
      await writeResults(resolve(io.cwd, flags.out), results, labels);
    } catch (error) {
      const db = flags.db === DEFAULT_DB_PATH ? '' : ` --db ${flags.db}`;
      throw new EmolabelError('invalid_option', `Cannot write --out ${flags.out}: ${describeError(error)}. The results are safe in the run store (run ${run.id}); ` +
        `write them with: emolabel export ${run.id} --format ${outputFormatOf(flags.out)} --out <file>${db}`, { cause: error });
    }
  } else {
    io.stdout.write(formatResultsTable(results));
  }
  if (!flags.quiet) {
    const reasoning = summary.reasoningTokens > 0 ? ` (${summary.reasoningTokens} of them reasoning)` : '';
    const unpriced = summary.unpriced > 0 ? ` + ${summary.unpriced} results of unknown price (the price data lacks the model: pass --price-table)` : '';
    const cost = summary.costUsd > 0 || summary.unpriced > 0 ? `, ${summary.inputTokens + summary.outputTokens} tokens${reasoning}, $${summary.costUsd.toFixed(4)}${unpriced}` : '';
    const batched = outcome.batches && outcome.batches.submitted > 0 ? ` (${outcome.batches.submitted} submitted in batches this session)` : '';
    const requests = outcome.requests.sent + outcome.requests.cached > 0 ? `; ${outcome.requests.sent} requests sent${batched}, ${outcome.requests.cached} from cache` : '';
    // In batch mode the provider set the pace: the online rate would mislead.
    const rate = outcome.requestLimit && !outcome.batches ? formatRequestRate(outcome.requestLimit, resilienceStats) : '';
    if (rate) io.stderr.write(`${rate}\n`);
    io.stderr.write(`run ${run.id}: ${counted(summary.items, 'result')}: ${summary.ok} ok, ${summary.noFace} no face, ${summary.abstained} abstained, ${summary.refused} refused, ${counted(summary.failed - summary.refused, 'error')}${cost}${requests}${flags.out ? ` → ${flags.out}` : ''}\n`);
  }
  if (stopped?.reason === 'batch') {
    const db = flags.db === DEFAULT_DB_PATH ? '' : ` --db ${flags.db}`;
    io.stderr.write(`emolabel: run ${run.id}: ${withFlagNames(stopped.message)}\n  see them with: emolabel batches${db}\n  collect with: emolabel annotate --resume ${run.id} --batch${db}\n`);
    return setExitCode(EXIT.ok);
  }
  if (stopped) {
    io.stderr.write(`emolabel: run ${run.id} stopped after ${run.done}/${counted(run.total, 'item')}: ${withFlagNames(stopped.message)}\n`);
    io.stderr.write(`  resume with: emolabel annotate --resume ${run.id}${stopped.reason === 'budget' ? ' --max-cost <higher>' : ''}${flags.db === DEFAULT_DB_PATH ? '' : ` --db ${flags.db}`}\n`);
    setExitCode(stopped.reason === 'budget' ? EXIT.budgetReached : stopped.reason === 'interrupted' ? EXIT.interrupted : EXIT.failed);
    return;
  }
  setExitCode(summary.failed > 0 ? EXIT.someItemsFailed : EXIT.ok);
}
