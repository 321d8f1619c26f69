/**
 * Speed of the bundled local model through the whole `annotate()` pipeline (decode, face detection,
 * crop, classification, strategy) on images and on 2 s videos, for each worker setting.
 *
 *   npx tsx bench/local-model-speed.ts                       # faces-dev images + 40 clips, best of 3
 *   npx tsx bench/local-model-speed.ts --clips 10 --repeat 1
 *   npx tsx bench/local-model-speed.ts --cpu-prof            # also V8 CPU profiles, one per thread, in bench/out/profiles/
 *
 * The sources are first compiled to bench/out/dist/, and every run is a fresh Node process running
 * that JavaScript (bench/support/time-annotate.mjs), as the CLI does: model loading and worker
 * start-up count in every setting, and no TypeScript loader slows the workers. Settings are
 * interleaved and each keeps its fastest of `--repeat` runs, since other processes on the machine
 * only ever slow a run down; the load average is printed before and after.
 * Clips are made once from faces-dev stills (640x480, 25 fps, 2 s, H.264) and kept in bench/out/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, formatMarkdownTable } from './support/bench-report.js';
import type { AnnotateOptions } from '../src/pipeline/annotate.js';
import { loadFacesDev } from '../test/support/faces-dev.js';
import { makeClipFromStill } from '../test/support/make-clips.js';

interface Setting {
  readonly name: string;
  readonly options: AnnotateOptions;
}

const SETTINGS: Setting[] = [
  { name: '1 worker (main thread, as before)', options: { workers: 1, concurrency: 2 } },
  { name: '2 workers', options: { workers: 2, concurrency: 2 } },
];

const CLIP = { seconds: 2, fps: 25, width: 640, height: 480 } as const;
const FRAMES_PER_CLIP = 8;
const DIST_DIR = resolve('bench/out/dist');

interface RunFigures {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly items: number;
  readonly frames: number;
  readonly errors: number;
}

interface Measurement extends RunFigures {
  readonly inputs: string;
  readonly setting: string;
}

/** Compiles src/ to bench/out/dist/ (what `npm run build` makes), without touching dist/. */
function buildSources(): void {
  rmSync(DIST_DIR, { recursive: true, force: true });
  try {
    execFileSync(resolve('node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', DIST_DIR], { stdio: 'pipe' });
  } catch (error) {
    // tsc still writes JavaScript when types fail; go on if the pipeline was written, and say so.
    if (!existsSync(join(DIST_DIR, 'pipeline/annotate.js'))) throw error;
    console.log('  warning: tsc reported type errors; timing the JavaScript it wrote anyway');
  }
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
  const request = JSON.stringify({ distDir: DIST_DIR, paths, options: { ...setting.options, frames: FRAMES_PER_CLIP } });
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const output = execFileSync(process.execPath, [...profile, resolve('bench/support/time-annotate.mjs'), request], { encoding: 'utf8', maxBuffer: 2 ** 26 });
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as RunFigures;
}

/** Every setting `repeat` times, interleaved so a busy spell on the machine hits all settings alike; the fastest run of each. */
function measure(inputs: string, paths: readonly string[], repeat: number, profile: boolean): Measurement[] {
  const best = new Map<string, Measurement>();
  for (let run = 0; run < repeat; run += 1) {
    for (const setting of SETTINGS) {
      const profileDir = profile && run === 0 ? resolve('bench/out/profiles', `${inputs.split(' ')[0]}-${setting.options.workers}-workers`) : undefined;
      const figures = runOnce(paths, setting, profileDir);
      console.log(`  ${inputs}, ${setting.name}: ${figures.seconds.toFixed(1)} s, ${(figures.cpuSeconds / figures.seconds).toFixed(2)} cores busy (load ${loadavg()[0]?.toFixed(1)})`);
      const previous = best.get(setting.name);
      if (previous === undefined || figures.seconds < previous.seconds) best.set(setting.name, { ...figures, inputs, setting: setting.name });
    }
  }
  return [...best.values()];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { clips: { type: 'string', default: '40' }, repeat: { type: 'string', default: '3' }, 'cpu-prof': { type: 'boolean', default: false } },
  });
  const set = loadFacesDev();
  if (!('images' in set)) {
    console.log(`skipped: ${set.missing}`);
    return;
  }
  const stills = set.images.map((image) => image.path);
  const clips = await makeClips(stills, Number(values.clips));
  buildSources();
  const loadBefore = loadavg()[0] ?? 0;
  console.log(`machine: ${describeMachine()}; load average ${loadBefore.toFixed(1)}`);
  const repeat = Math.max(1, Number(values.repeat));
  const measurements = [
    ...measure(`images (faces-dev, ${stills.length})`, stills, repeat, values['cpu-prof']),
    ...measure(`2 s videos (${clips.length} x ${FRAMES_PER_CLIP} frames)`, clips, repeat, values['cpu-prof']),
  ];
  const rows = measurements.map((row) => {
    const baseline = measurements.find((other) => other.inputs === row.inputs);
    return [row.inputs, row.setting, String(row.items), row.seconds.toFixed(1), (row.items / row.seconds).toFixed(2),
      (row.frames / row.seconds).toFixed(1), (row.cpuSeconds / row.seconds).toFixed(2), (1000 * row.cpuSeconds / row.frames).toFixed(0),
      `${((baseline?.seconds ?? row.seconds) / row.seconds).toFixed(2)}x`, String(row.errors)];
  });
  console.log(`\nlocal model speed: ${describeMachine()}; ${FRAMES_PER_CLIP} frames a clip; best of ${repeat}; ` +
    `load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after\n`);
  console.log(formatMarkdownTable(
    ['inputs', 'setting', 'items', 'seconds', 'items/s', 'frames/s', 'cores busy', 'CPU ms/frame', 'speed-up', 'errors'], rows,
  ));
  if (values['cpu-prof']) console.log('\nprofiles (first run of each setting): bench/out/profiles/; summarise with npx tsx bench/support/summarise-cpu-profile.ts <file>');
}

await main();
