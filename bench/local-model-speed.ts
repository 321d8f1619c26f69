/**
 * Speed of the bundled local model through the whole `annotate()` pipeline (decode, face detection,
 * crop, classification, strategy) on images and on 2 s videos, for each worker setting.
 *
 *   npx tsx bench/local-model-speed.ts                       # faces-dev images + 40 clips, best of 3
 *   npx tsx bench/local-model-speed.ts --images 40 --clips 10 --repeat 1   # a quick look
 *   npx tsx bench/local-model-speed.ts --cpu-prof            # also V8 CPU profiles, one per thread, in bench/out/profiles/
 *   npx tsx bench/local-model-speed.ts --baseline 8887b75~1  # adds a row for that commit's code (before worker threads)
 *   npx tsx bench/local-model-speed.ts --max-others 0.1 --tries 10   # on a shared machine: re-run runs others disturbed
 *   npx tsx bench/local-model-speed.ts --inputs videos
 *
 * Rows: the whole run pinned to one core (`taskset -c 0`: ffmpeg, sharp and GC share it), one worker on
 * two cores, and the default two workers; "vs 1 core" is the speed-up from the second core.
 *
 * The sources are first compiled (to $TMPDIR/emolabel-bench/dist/), and every run is a fresh Node process running
 * that JavaScript (bench/support/time-annotate.mjs), as the CLI does: model loading and worker
 * start-up count in every setting, and no TypeScript loader slows the workers. `--baseline <rev>`
 * compiles that commit's src/ (from `git archive`, the working tree untouched) the same way. Settings are
 * interleaved and each keeps its fastest of `--repeat` runs, since other processes on the machine
 * only ever slow a run down; the load average is printed before and after.
 * Clips are made once from faces-dev stills (640x480, 25 fps, 2 s, H.264) and kept in bench/out/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, formatMarkdownTable } from './support/bench-report.js';
import type { AnnotateOptions } from '../src/pipeline/annotate.js';
import { loadFacesDev } from '../test/support/faces-dev.js';
import { makeClipFromStill } from '../test/support/make-clips.js';

interface Setting {
  readonly name: string;
  /** The compiled sources to time. */
  readonly distDir: string;
  readonly options: AnnotateOptions;
  /** Folder name for its CPU profiles. */
  readonly profileName: string;
  /** Pins the run to these CPUs (`taskset -c`); Node then sees that many cores and picks its defaults for them. */
  readonly cpus?: string;
}

const CLIP = { seconds: 2, fps: 25, width: 640, height: 480 } as const;
const FRAMES_PER_CLIP = 8;
const ONE_CORE = '1 core (taskset -c 0)';
const OUT_DIR = resolve('bench/out');
/**
 * Compiled code (and a baseline's sources) go outside the repository, where `tsc -p tsconfig.json`
 * does not see them; a node_modules link lets them resolve the project's packages.
 */
const BUILD_DIR = join(tmpdir(), 'emolabel-bench');

interface RunFigures {
  readonly seconds: number;
  /** CPU time of every thread of the run's process. */
  readonly cpuSeconds: number;
  /** CPU time of its ffmpeg and ffprobe processes. */
  readonly childSeconds: number;
  /** CPU time every other process of the machine took meanwhile (Linux only): what disturbed the run. */
  readonly othersSeconds?: number;
  readonly items: number;
  readonly frames: number;
  readonly errors: number;
}

interface Measurement extends RunFigures {
  readonly inputs: string;
  readonly setting: string;
}

function compile(tsconfig: string, outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  if (!existsSync(join(BUILD_DIR, 'node_modules'))) symlinkSync(resolve('node_modules'), join(BUILD_DIR, 'node_modules'), 'dir');
  // Like the project's own package.json: tsc (NodeNext) and Node then treat the .js files as ES modules.
  writeFileSync(join(BUILD_DIR, 'package.json'), '{ "type": "module" }\n');
  try {
    execFileSync(resolve('node_modules/.bin/tsc'), ['-p', tsconfig, '--outDir', outDir], { stdio: 'pipe' });
  } catch (error) {
    // tsc still writes JavaScript when types fail; go on if the pipeline was written, and say so.
    if (!existsSync(join(outDir, 'pipeline/annotate.js'))) throw error;
    console.log(`  warning: tsc reported type errors in ${tsconfig}; timing the JavaScript it wrote anyway`);
  }
}

/** Compiles the working tree's src/ as `npm run build` does, without touching dist/. */
function buildWorkingTree(): string {
  const outDir = join(BUILD_DIR, 'dist');
  compile('tsconfig.build.json', outDir);
  return outDir;
}

/** Compiles src/ as it was at `revision` (read with `git archive`; the working tree is not touched). */
function buildRevision(revision: string): string {
  const sourceDir = join(BUILD_DIR, 'baseline-source');
  rmSync(sourceDir, { recursive: true, force: true });
  mkdirSync(sourceDir, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', revision, 'src', 'tsconfig.json', 'tsconfig.build.json'], { maxBuffer: 2 ** 28 });
  execFileSync('tar', ['-x', '-C', sourceDir], { input: archive });
  const outDir = join(BUILD_DIR, 'baseline-dist');
  compile(join(sourceDir, 'tsconfig.build.json'), outDir);
  return outDir;
}

/** `count` clips made from stills spread over faces-dev, made once and kept in bench/out/. */
async function makeClips(stills: readonly string[], count: number): Promise<string[]> {
  const folder = resolve('bench/out', `clips-${CLIP.width}x${CLIP.height}-${CLIP.fps}fps-${CLIP.seconds}s`);
  mkdirSync(folder, { recursive: true });
  const chosen = stills.filter((_, index) => index % Math.max(1, Math.floor(stills.length / count)) === 0).slice(0, count);
  const clips = chosen.map((still) => ({ still, clip: join(folder, `${basename(still, '.jpg')}.mp4`) }));
  const missing = clips.filter(({ clip }) => !existsSync(clip));
  for (let start = 0; start < missing.length; start += 4) {
    await Promise.all(missing.slice(start, start + 4).map(({ still, clip }) => makeClipFromStill(still, clip, CLIP)));
  }
  if (missing.length > 0) console.log(`  made ${missing.length} clips in ${folder}`);
  return clips.map(({ clip }) => clip);
}

function runOnce(paths: readonly string[], setting: Setting, profileDir: string | undefined): RunFigures {
  const request = JSON.stringify({ distDir: setting.distDir, paths, options: { ...setting.options, frames: FRAMES_PER_CLIP } });
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const command = [process.execPath, ...profile, resolve('bench/support/time-annotate.mjs'), request];
  const [file, ...args] = setting.cpus === undefined ? command : ['taskset', '-c', setting.cpus, ...command];
  const output = execFileSync(file!, args, { encoding: 'utf8', maxBuffer: 2 ** 26 });
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as RunFigures;
}

const coresBusy = (figures: RunFigures) => ((figures.cpuSeconds + figures.childSeconds) / figures.seconds).toFixed(2);
const othersBusy = (figures: RunFigures) => (figures.othersSeconds === undefined ? '?' : (figures.othersSeconds / figures.seconds).toFixed(2));

interface MeasureOptions {
  readonly repeat: number;
  readonly profile: boolean;
  /** Runs during which other processes took more cores than this are run again, up to `tries` times. */
  readonly maxOthers: number;
  readonly tries: number;
}

/** Every setting `repeat` times, interleaved so a busy spell on the machine hits all settings alike; the fastest run of each. */
function measure(inputs: { name: string; key: string }, paths: readonly string[], settings: readonly Setting[], options: MeasureOptions): Measurement[] {
  const best = new Map<string, Measurement>();
  for (let run = 0; run < options.repeat; run += 1) {
    for (const setting of settings) {
      const profileDir = options.profile && run === 0 ? join(OUT_DIR, 'profiles', `${inputs.key}-${setting.profileName}`) : undefined;
      let figures = runOnce(paths, setting, profileDir);
      for (let retry = 1; retry < options.tries && (figures.othersSeconds ?? 0) / figures.seconds > options.maxOthers; retry += 1) {
        console.log(`  (other processes took ${othersBusy(figures)} cores; again)`);
        figures = runOnce(paths, setting, profileDir);
      }
      console.log(`  ${inputs.name}, ${setting.name}: ${figures.seconds.toFixed(1)} s, ${coresBusy(figures)} cores busy, ${othersBusy(figures)} by other processes`);
      const previous = best.get(setting.name);
      if (previous === undefined || figures.seconds < previous.seconds) best.set(setting.name, { ...figures, inputs: inputs.name, setting: setting.name });
    }
  }
  return [...best.values()];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      images: { type: 'string' }, clips: { type: 'string', default: '40' }, repeat: { type: 'string', default: '3' }, 'cpu-prof': { type: 'boolean', default: false },
      baseline: { type: 'string' }, inputs: { type: 'string', default: 'images,videos' },
      'max-others': { type: 'string', default: '2' }, tries: { type: 'string', default: '1' },
    },
  });
  const set = loadFacesDev();
  if (!('images' in set)) {
    console.log(`skipped: ${set.missing}`);
    return;
  }
  const stills = set.images.map((image) => image.path).slice(0, values.images ? Number(values.images) : undefined);
  const clips = await makeClips(set.images.map((image) => image.path), Number(values.clips));
  const current = buildWorkingTree();
  const settings: Setting[] = [
    ...(values.baseline
      ? [{ name: `before (${values.baseline}), its defaults`, distDir: buildRevision(values.baseline), options: { concurrency: 2 }, profileName: 'baseline' }]
      : []),
    // The whole run (ffmpeg, sharp's threads and GC included) on one core: what "uses both cores" is measured against.
    { name: ONE_CORE, distDir: current, options: { concurrency: 2 }, profileName: '1-core', cpus: '0' },
    { name: '1 worker (main thread)', distDir: current, options: { workers: 1, concurrency: 2 }, profileName: '1-worker' },
    // Four items in flight: the pool gives each worker two, one decoding while the other computes.
    { name: '2 workers (default)', distDir: current, options: { workers: 2, concurrency: 2 }, profileName: '2-workers' },
  ];
  const loadBefore = loadavg()[0] ?? 0;
  console.log(`machine: ${describeMachine()}; load average ${loadBefore.toFixed(1)}`);
  const repeat = Math.max(1, Number(values.repeat));
  const measureOptions: MeasureOptions = {
    repeat, profile: values['cpu-prof'], maxOthers: Number(values['max-others']), tries: Math.max(1, Number(values.tries)),
  };
  const wanted = values.inputs.split(',');
  const measurements = [
    ...(wanted.includes('images') ? measure({ name: `images (faces-dev, ${stills.length})`, key: 'images' }, stills, settings, measureOptions) : []),
    ...(wanted.includes('videos') ? measure({ name: `2 s videos (${clips.length} x ${FRAMES_PER_CLIP} frames)`, key: 'videos' }, clips, settings, measureOptions) : []),
  ];
  const speedUp = (row: Measurement, settingName: string | undefined) => {
    const reference = measurements.find((other) => other.inputs === row.inputs && other.setting === settingName);
    return reference ? `${(reference.seconds / row.seconds).toFixed(2)}x` : '-';
  };
  const rows = measurements.map((row) => [
    row.inputs, row.setting, String(row.items), row.seconds.toFixed(1), (row.items / row.seconds).toFixed(2),
    (row.frames / row.seconds).toFixed(1), coresBusy(row), ((1000 * (row.cpuSeconds + row.childSeconds)) / row.frames).toFixed(0),
    othersBusy(row), speedUp(row, settings[0]?.name), speedUp(row, ONE_CORE), speedUp(row, '1 worker (main thread)'), String(row.errors),
  ]);
  console.log(`\nlocal model speed: ${describeMachine()}; ${FRAMES_PER_CLIP} frames a clip; best of ${repeat}; ` +
    `load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after\n`);
  console.log(formatMarkdownTable(
    ['inputs', 'setting', 'items', 'seconds', 'items/s', 'frames/s', 'cores busy', 'CPU ms/frame', 'cores taken by others',
      `speed-up vs ${values.baseline ? 'before' : 'first'}`, 'vs 1 core', 'vs 1 worker', 'errors'],
    rows,
  ));
  if (values['cpu-prof']) console.log('\nprofiles (first run of each setting): bench/out/profiles/; summarise with npx tsx bench/support/summarise-cpu-profile.ts <file>');
}

await main();
