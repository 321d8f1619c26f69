/**
 * Face detection throughput: decode, detection and crop per image, as `emolabel annotate` does for
 * each image or sampled frame (`findFaces` with `faces: 'largest'`), on faces-dev's photos (tight
 * face crops, mostly 350x350) and on 1280x720 frames made from faces-dev stills (the still on a
 * grey canvas, a quarter and all of the frame's height, as in cost-per-clip.ts), for three ways of
 * detecting, each image through all three in turn so the machine's load hits them alike:
 *
 * - **before**: the code of commit `EMOLABEL_BENCH_BEFORE` (default dcd77a1, before this work):
 *   face-api's own network, the unpadded pass first and the padded pass when it finds nothing.
 * - **fused, unpadded first**: today's network (fused TF.js kernels), the same pass order.
 * - **after**: today's default: fused network, the padded pass first on images shaped like face crops.
 *
 * Per image, the CPU time of the whole process (sharp's threads too) in each stage: decode (JPEG to
 * RGB), the first network pass, the second pass (how often it ran), the crop. CPU time, not wall
 * time, so other work on a shared machine counts as little as it can (it still slows caches).
 * "images/s per core" is 1000 / CPU ms per image: what each core of a `--workers N` run can do.
 *
 *   npx tsx bench/face-detection-throughput.ts
 *   EMOLABEL_BENCH_IMAGES=40 npx tsx bench/face-detection-throughput.ts      # fewer images per set
 *   EMOLABEL_BENCH_BEFORE=<commit> npx tsx bench/face-detection-throughput.ts
 *
 * The before commit's src/ is read with `git archive` into $TMPDIR/emolabel-bench/ (the working tree
 * is not touched) and imported from there. Frames are made once and kept in bench/out/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import { describeMachine, formatMarkdownTable } from './support/bench-report.js';
import type { FaceDetector } from '../src/faces/face-detector.js';
import { expandBox } from '../src/faces/face-box.js';
import { DEFAULT_FACE_MARGIN, findFaces } from '../src/faces/find-faces.js';
import { createTinyFaceDetector, type DetectionPass } from '../src/faces/tiny-face-detector.js';
import { cropImage } from '../src/faces/transform-image.js';
import { decodeStillImage } from '../src/media/decode-image.js';
import type { RgbImage } from '../src/media/rgb-image.js';
import { loadFacesDev } from '../test/support/faces-dev.js';

const BEFORE = process.env.EMOLABEL_BENCH_BEFORE ?? 'dcd77a1';
const LIMIT = Number(process.env.EMOLABEL_BENCH_IMAGES ?? '0') || undefined;
const FRAME = { width: 1280, height: 720 } as const;
const FACE_SHARES = [0.25, 1] as const;

type FindFaces = typeof findFaces;
interface ReportedPass extends DetectionPass { readonly cpuEndedAt: number }
interface Way {
  readonly name: string;
  readonly findFaces: FindFaces;
  readonly detector: FaceDetector;
  /** The first pass alone, for a way that does not report its passes (the before code). */
  readonly firstPass?: FaceDetector;
  readonly cropImage: typeof cropImage;
  /** Passes the detector reported for the image being measured, with the process's CPU clock when each ended. */
  readonly passes: ReportedPass[];
}

interface Totals { images: number; cpuMs: number; decodeMs: number; firstMs: number; secondMs: number; seconds: number; cropMs: number; found: number }
const emptyTotals = (): Totals => ({ images: 0, cpuMs: 0, decodeMs: 0, firstMs: 0, secondMs: 0, seconds: 0, cropMs: 0, found: 0 });

/** src/ of `revision` from `git archive`, outside the repository, with a link to node_modules so it resolves the project's packages. */
async function importBefore(revision: string): Promise<{ findFaces: FindFaces; createTinyFaceDetector: (options?: object) => FaceDetector; cropImage: typeof cropImage }> {
  const folder = join(tmpdir(), 'emolabel-bench', `face-detection-${revision}`);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  execFileSync('tar', ['-x', '-C', folder], { input: execFileSync('git', ['archive', '--format=tar', revision, 'src'], { maxBuffer: 2 ** 28 }) });
  symlinkSync(resolve('node_modules'), join(folder, 'node_modules'), 'dir');
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
  const faces = await import(join(folder, 'src/faces/find-faces.ts')) as { findFaces: FindFaces };
  const detector = await import(join(folder, 'src/faces/tiny-face-detector.ts')) as { createTinyFaceDetector: (options?: object) => FaceDetector };
  const transform = await import(join(folder, 'src/faces/transform-image.ts')) as { cropImage: typeof cropImage };
  return { findFaces: faces.findFaces, createTinyFaceDetector: detector.createTinyFaceDetector, cropImage: transform.cropImage };
}

/** A faces-dev still on a grey 1280x720 canvas, `share` of its height, as JPEG, made once in bench/out/. */
async function makeFrame(still: string, share: number): Promise<string> {
  const folder = resolve('bench/out', `face-frames-${FRAME.width}x${FRAME.height}-face${Math.round(share * 100)}`);
  const output = join(folder, basename(still));
  if (existsSync(output)) return output;
  mkdirSync(folder, { recursive: true });
  const face = await sharp(still).resize({ height: Math.round(FRAME.height * share) }).png().toBuffer();
  const { width = 1, height = 1 } = await sharp(face).metadata();
  await sharp({ create: { ...FRAME, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .composite([{ input: face, top: Math.floor((FRAME.height - height) / 2), left: Math.max(0, Math.floor((FRAME.width - width) / 2)) }])
    .jpeg({ quality: 90 }).toFile(output);
  return output;
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** One image through one way: decode, detect (its passes), crop, each stage's CPU time added to `totals`. */
async function measure(way: Way, path: string, encoded: Buffer, totals: Totals): Promise<void> {
  way.passes.length = 0;
  const started = cpuMs();
  const { image } = await decodeStillImage(encoded, path);
  const decoded = cpuMs();
  const [track] = await way.findFaces([{ index: 0, sourceIndex: 0, image }], way.detector);
  const findMs = cpuMs() - decoded;
  totals.cpuMs += findMs + decoded - started;
  totals.decodeMs += decoded - started;
  totals.images += 1;
  // The crop again, alone, to split findFaces' time into detection and crop.
  const box = track?.faceFound ? track.crops[0]?.box : undefined;
  let cropMs = 0;
  if (box !== undefined) {
    totals.found += 1;
    const cropStarted = cpuMs();
    await way.cropImage(image, expandBox(box, DEFAULT_FACE_MARGIN, image.width, image.height));
    cropMs = Math.min(findMs, cpuMs() - cropStarted);
  }
  totals.cropMs += cropMs;
  const detection = await passTimes(way, image, decoded, findMs - cropMs);
  totals.firstMs += detection.firstMs;
  totals.secondMs += detection.secondMs;
  totals.seconds += detection.second ? 1 : 0;
}

/**
 * The CPU time of the detection's first and second passes: from the CPU clock when each pass ended
 * (as the detector reported them), or for the before code, which reports none, its first pass run
 * again alone, the second being the rest.
 */
async function passTimes(way: Way, image: RgbImage, detectStarted: number, detectMs: number): Promise<{ firstMs: number; secondMs: number; second: boolean }> {
  if (way.firstPass === undefined) {
    const [first, second] = way.passes;
    const firstMs = first === undefined ? 0 : Math.min(detectMs, first.cpuEndedAt - detectStarted);
    return { firstMs, secondMs: second === undefined ? 0 : detectMs - firstMs, second: second !== undefined };
  }
  const started = cpuMs();
  const first = await way.firstPass.detect(image);
  const firstMs = Math.min(detectMs, cpuMs() - started);
  const second = first.length === 0;
  return { firstMs: second ? firstMs : detectMs, secondMs: second ? detectMs - firstMs : 0, second };
}

function row(set: string, way: string, totals: Totals, reference: Totals | undefined): string[] {
  const perImage = (value: number) => value / totals.images;
  const stages = totals.decodeMs + totals.firstMs + totals.secondMs + totals.cropMs;
  const share = (value: number) => `${((100 * value) / stages).toFixed(0)}%`;
  const rate = 1000 / perImage(totals.cpuMs);
  return [
    set, way, String(totals.images), `${totals.found}`, perImage(totals.cpuMs).toFixed(1), `**${rate.toFixed(1)}**`,
    reference === undefined ? '1.00x' : `${((rate * perImage(reference.cpuMs)) / 1000).toFixed(2)}x`,
    `${perImage(totals.decodeMs).toFixed(1)} (${share(totals.decodeMs)})`, `${perImage(totals.firstMs).toFixed(1)} (${share(totals.firstMs)})`,
    `${totals.seconds} × ${(totals.secondMs / Math.max(1, totals.seconds)).toFixed(1)} (${share(totals.secondMs)})`, `${perImage(totals.cropMs).toFixed(2)} (${share(totals.cropMs)})`,
  ];
}

async function main(): Promise<void> {
  const set = loadFacesDev();
  if (!('images' in set)) {
    console.log(`skipped: ${set.missing}`);
    return;
  }
  console.log(`face detection throughput: faces-dev photos and ${FRAME.width}x${FRAME.height} frames made from them; before = ${BEFORE}`);
  console.log(`machine: ${describeMachine()}; load average ${loadavg()[0]?.toFixed(1)} at the start`);
  const stills = set.images.map((image) => image.path).slice(0, LIMIT);
  const sets: Array<{ name: string; paths: string[] }> = [{ name: `faces-dev photos (${stills.length})`, paths: stills }];
  for (const share of FACE_SHARES) {
    const paths: string[] = [];
    for (const still of stills) paths.push(await makeFrame(still, share));
    sets.push({ name: `${FRAME.width}x${FRAME.height} frames, face ${share * 100}% of the height`, paths });
  }

  const before = await importBefore(BEFORE);
  const reported = (passes: ReportedPass[]) => (pass: DetectionPass) => passes.push({ ...pass, cpuEndedAt: cpuMs() });
  const fusedPasses: ReportedPass[] = [];
  const afterPasses: ReportedPass[] = [];
  const ways: Way[] = [
    { name: `before (${BEFORE})`, findFaces: before.findFaces, detector: before.createTinyFaceDetector(), firstPass: before.createTinyFaceDetector({ retryPadding: 0 }), cropImage: before.cropImage, passes: [] },
    { name: 'fused network, unpadded first', findFaces, detector: createTinyFaceDetector({ passOrder: 'unpadded-first', onPass: reported(fusedPasses) }), cropImage, passes: fusedPasses },
    { name: 'after: fused, padded first on crops', findFaces, detector: createTinyFaceDetector({ onPass: reported(afterPasses) }), cropImage, passes: afterPasses },
  ];
  // Models loaded and kernels compiled before anything is timed.
  const warm = await decodeStillImage(readFileSync(stills[0] ?? ''), stills[0] ?? '');
  for (const way of ways) await way.findFaces([{ index: 0, sourceIndex: 0, image: warm.image }], way.detector);

  const rows: string[][] = [];
  for (const { name, paths } of sets) {
    const totals = ways.map(emptyTotals);
    for (const path of paths) {
      const encoded = readFileSync(path);
      for (const [index, way] of ways.entries()) await measure(way, path, encoded, totals[index] as Totals);
    }
    for (const [index, way] of ways.entries()) rows.push(row(name, way.name, totals[index] as Totals, index === 0 ? undefined : totals[0]));
    console.log(`  done: ${name}`);
  }
  console.log('');
  console.log(formatMarkdownTable(
    ['images', 'detection', 'n', 'face found', 'CPU ms / image', 'images/s per core', 'vs before', 'decode ms (share)', 'first pass ms', 'second pass: runs × ms', 'crop ms'],
    rows,
  ));
  console.log(`\nload average ${loadavg()[0]?.toFixed(1)} at the end. Stage times are CPU ms of every thread of the process; shares are of their sum.`);
}

await main();
