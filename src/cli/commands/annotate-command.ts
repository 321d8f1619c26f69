import { resolve } from 'node:path';
import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { counted } from '../plural.js';
import { EXIT } from '../cli-io.js';
import { withFlagNames } from '../flag-names.js';
import { choiceOption, integerOption, numberOption } from '../parse-option.js';
import { createInterruptController } from '../interrupt-controller.js';
import { createBatchProgress } from '../batch-progress.js';
import { createProgressReporter } from '../progress-reporter.js';
import { addProviderLimitOptions } from '../provider-limit-options.js';
import { type RunSpecFlags, runSpecFromFlags, type SessionFlags, sessionFromFlags } from '../run-flags.js';
import { createAnnotator } from '../../annotators/annotator-registry.js';
import { createResilienceStats, formatResilienceStats } from '../../runs/resilience/resilience-stats.js';
import { estimateRun } from '../../runs/estimate-run.js';
import { formatCostEstimate } from '../../runs/format-cost-estimate.js';
import { describeError, EmolabelError } from '../../errors.js';
import { runAnnotation, type RunOutcome } from '../../runs/run-annotation.js';
import { annotateOptionsOf } from '../../runs/run-spec.js';
import { DEFAULT_DB_PATH } from '../../store/open-database.js';
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

export const registerAnnotateCommand: RegisterCommand = (program, io, setExitCode) => {
  const command = program
    .command('annotate')
    .description('Label the facial emotion of images, videos and frame folders.')
    .argument('[inputs...]', 'image files, video files and folders (walked recursively)')
    .option('-o, --out <file>', 'write results to a .csv, .jsonl or .json file (default: print a table)')
    .option('-m, --model <id>', 'annotator, provider:model', 'local')
    .option('-s, --strategy <name>', 'frame (majority vote), mean (average probabilities), multi (all frames in one LLM request) or grid (frames tiled into one image)', 'frame')
    .option('-t, --taxonomy <name|file>', 'basic7, basic8 (keeps Contempt), ternary, or a taxonomy .json file', 'basic7')
    .option('-f, --frames <n>', 'frames sampled evenly from each video or frame folder', integerOption(1), 8)
    .addOption(new Option('--faces <mode>', 'largest face per frame, all faces, or none (whole frames)').choices(['largest', 'all', 'none']).default('largest'))
    .option('--face-margin <fraction>', 'margin added around each face box, as a fraction of its size', numberOption(0, 2), 0)
    .option('--manifest <csv>', 'a CSV with columns path and optional label (paths relative to the CSV)')
    .option('--clip-folders', 'treat every folder of images as one clip (FERV39k layout)')
    .option('-c, --concurrency <n>', 'items processed at once', integerOption(1), 2)
    .option('--workers <n>', 'worker threads for decoding, face detection and the local model; 1: main thread only (default: one per core up to --concurrency for the local model, 1 for LLMs)', integerOption(1))
    .option('--save-frames <dir>', 'also write the sampled frames and face crops as JPEG here')
    .option('-q, --quiet', 'no progress output')
    .option('--base-url <url>', 'endpoint of an OpenAI-compatible server (Ollama, vLLM, LM Studio …)')
    .option('--api-key-env <name>', "environment variable holding the API key (default: the provider's usual one)")
    .option('--prompt <mode>', 'LLM prompt mode: direct, au-cot or hint')
    .addOption(new Option('--detail <level>', 'LLM image detail').argParser(choiceOption(['low', 'high', 'auto'])))
    .option('--image-size <px>', 'longest side of each image sent to an LLM (default 512)', integerOption(32))
    .option('--max-images <n>', 'most images per LLM request, replacing the price table value (1: multi sends a grid)', integerOption(1))
    .option('--price-table <file>', 'JSON price table whose entries replace the bundled ones')
    .option('--max-output-tokens <n>', 'cap on the tokens of one LLM answer, reasoning included (default 1024; 4096 for models that reason)', integerOption(16))
    .addOption(new Option('--reasoning-effort <level>', 'how much a reasoning model may think: none, minimal, low, medium, high (default low for models that reason)').argParser(choiceOption(['none', 'minimal', 'low', 'medium', 'high'])))
    .addOption(new Option('--service-tier <tier>', "OpenAI's processing tier: flex answers slower at the batch price, without a batch (models that offer it)").argParser(choiceOption(['default', 'flex'])))
    .option('--dry-run', 'sample frames and crop faces, print estimated tokens and dollars per item and in total; send nothing')
    .option('--db <path>', 'the run store (SQLite)', DEFAULT_DB_PATH)
    .option('--resume <run>', 'finish this run with its stored inputs and options (running the same command again also resumes)')
    .option('--take-over', 'run a run another session holds (its process is gone, but its lease is not yet stale)')
    .option('--batch', "send the requests through the provider's batch API: half price, answers within 24 h (openai:, anthropic:, google:); see docs/batch.md")
    .option('--no-wait', 'with --batch: submit the batches and exit; the same command again (or --resume) collects them')
    .addOption(new Option('--batch-follow-ups <where>', 'with --batch: repairs and re-asks of batch answers go online or in the next batch').choices(['online', 'batch']).default('online'))
    .addOption(new Option('--batch-retries <where>', 'with --batch: expired, cancelled and transiently failed lines go in a follow-up batch or online').choices(['batch', 'online']).default('batch'))
    .option('--batch-poll <seconds>', 'with --batch: time between polls of the batches', numberOption(0.001), 30)
    .option('--queue <redis-url>', 'coordinate: queue one job per item on this Redis for `emolabel worker` processes to label (see docs/workers.md)');
  addProviderLimitOptions(command, 'stop before the run would cost more than this many dollars')
    .action(async (inputs: string[], flags: AnnotateFlags) => {
      if (inputs.length === 0 && !flags.manifest && !flags.resume) {
        throw new EmolabelError('invalid_option', 'Give at least one input path, or --manifest <csv>. Example: emolabel annotate clips/ --out labels.csv');
      }
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
      const detail = () => [queueStatus && formatQueueStatus(queueStatus), formatResilienceStats(resilienceStats)].filter(Boolean).join(' | ');
      const progress = createProgressReporter(io, { quiet: flags.quiet, detail });
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
    });
};
