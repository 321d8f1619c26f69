/**
 * Speed of the bundled local model through the same `annotate()` pipeline users run (decode, face
 * detection, crop, classification, strategy), on images and on 2 s videos, for each worker setting.
 *
 *   npx tsx bench/local-model-speed.ts                    # faces-dev images + 40 clips, every setting
 *   npx tsx bench/local-model-speed.ts --clips 10 --repeat 3
 *   node --cpu-prof --cpu-prof-dir bench/out/profiles --import tsx bench/local-model-speed.ts --clips 10
 *
 * Clips are made once from faces-dev stills (640x480, 25 fps, 2 s, H.264) and kept in bench/out/.
 * Each setting runs `--repeat` times and the fastest run is kept (other processes on the machine
 * only ever slow a run down). The main thread's model is loaded before timing; worker start-up is
 * part of each timed run, as it is of every real run.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, formatMarkdownTable, secondsSince } from './support/bench-report.js';
import { annotate, type AnnotateOptions } from '../src/pipeline/annotate.js';
import { loadFacesDev } from '../test/support/faces-dev.js';
import { makeClipFromStill } from '../test/support/make-clips.js';

interface Setting {
  readonly name: string;
  readonly options: AnnotateOptions;
}

const SETTINGS: Setting[] = [
  { name: 'main thread (before: no workers), concurrency 2', options: { concurrency: 2 } },
];

const CLIP = { seconds: 2, fps: 25, width: 640, height: 480 } as const;
const FRAMES_PER_CLIP = 8;

interface Measurement {
  readonly inputs: string;
  readonly setting: string;
  readonly items: number;
  readonly frames: number;
  readonly seconds: number;
  /** CPU time of this process (all its threads) over wall time: how many cores it kept busy. */
  readonly coresBusy: number;
  readonly failed: number;
}

async function makeClips(stills: readonly string[], count: number): Promise<string> {
  const folder = resolve('bench/out', `clips-${CLIP.width}x${CLIP.height}-${CLIP.fps}fps-${CLIP.seconds}s`);
  mkdirSync(folder, { recursive: true });
  const chosen = stills.filter((_, index) => index % Math.max(1, Math.floor(stills.length / count)) === 0).slice(0, count);
  const missing = chosen.map((still) => ({ still, clip: join(folder, `${basename(still, '.jpg')}.mp4`) })).filter(({ clip }) => !existsSync(clip));
  for (let start = 0; start < missing.length; start += 4) {
    await Promise.all(missing.slice(start, start + 4).map(({ still, clip }) => makeClipFromStill(still, clip, CLIP)));
  }
  if (missing.length > 0) console.log(`  made ${missing.length} clips in ${folder}`);
  return folder;
}

async function measure(inputs: string, paths: readonly string[], setting: Setting, repeat: number): Promise<Measurement> {
  let best: Measurement | undefined;
  for (let run = 0; run < repeat; run += 1) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { results } = await annotate(paths, { ...setting.options, frames: FRAMES_PER_CLIP });
    const seconds = secondsSince(started);
    const cpu = process.cpuUsage(cpuBefore);
    const measurement: Measurement = {
      inputs, setting: setting.name, items: results.length, seconds,
      frames: results.reduce((sum, result) => sum + result.framesUsed, 0),
      coresBusy: (cpu.user + cpu.system) / 1e6 / seconds,
      failed: results.filter((result) => result.status === 'error').length,
    };
    console.log(`  ${inputs}, ${setting.name}: ${seconds.toFixed(1)} s (${measurement.coresBusy.toFixed(2)} cores busy)`);
    if (best === undefined || measurement.seconds < best.seconds) best = measurement;
  }
  if (best === undefined) throw new Error('Expected --repeat to be 1 or more.');
  return best;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { clips: { type: 'string', default: '40' }, repeat: { type: 'string', default: '1' } } });
  const set = loadFacesDev();
  if (!('images' in set)) {
    console.log(`skipped: ${set.missing}`);
    return;
  }
  const stills = set.images.map((image) => image.path);
  const clipFolder = await makeClips(stills, Number(values.clips));
  console.log(`machine: ${describeMachine()}`);
  // Load the main thread's model before timing: it is loaded once a process.
  await annotate([stills[0] ?? ''], { concurrency: 1 });
  const measurements: Measurement[] = [];
  for (const [inputs, paths] of [[`images (faces-dev, ${stills.length})`, stills], [`2 s videos (${values.clips} x ${FRAMES_PER_CLIP} frames)`, [clipFolder]]] as const) {
    for (const setting of SETTINGS) measurements.push(await measure(inputs, paths, setting, Number(values.repeat)));
  }
  const rows = measurements.map((row) => {
    const baseline = measurements.find((other) => other.inputs === row.inputs);
    const speedUp = baseline ? baseline.seconds / row.seconds : 1;
    return [row.inputs, row.setting, String(row.items), row.seconds.toFixed(1), (row.items / row.seconds).toFixed(2),
      (row.frames / row.seconds).toFixed(1), row.coresBusy.toFixed(2), `${speedUp.toFixed(2)}x`, String(row.failed)];
  });
  console.log(`\nlocal model speed: ${describeMachine()}; ${FRAMES_PER_CLIP} frames a clip, best of ${values.repeat}\n`);
  console.log(formatMarkdownTable(['inputs', 'setting', 'items', 'seconds', 'items/s', 'frames/s', 'cores busy', 'speed-up', 'errors'], rows));
}

await main();
