/**
 * Tokens and dollars per clip for each strategy on real faces, by the bundled price table: `frame`,
 * `multi` and `grid` at 4 and 8 frames, with face crops (`--faces largest`) and whole frames
 * (`--faces none`), at low and high detail, for 2 s 1280x720 clips made from faces-dev stills. Each
 * setting's requests are planned and priced by the same functions `--dry-run` uses
 * (`estimateRequestCost`, with a quick planner of the strategies' requests) on the real frames and crops; one setting is also run
 * through `estimateRun` (the dry run) itself to show they agree. Then a few clips go through the real
 * `openai:gpt-4o-mini` annotator against a fake OpenAI server that reports gpt-4o-mini usage for the
 * images it receives, to check the estimates against "actual" usage.
 *
 *   npx tsx bench/cost-per-clip.ts
 *   EMOLABEL_BENCH_CLIPS=8 npx tsx bench/cost-per-clip.ts               # fewer clips (default 24)
 *   EMOLABEL_BENCH_MODEL=openai:gpt-4.1-mini npx tsx bench/cost-per-clip.ts
 *
 * The baseline is the paper's: frame by frame, 8 frames, face crops, low detail.
 */
import { createAnnotator } from '../src/annotators/annotator-registry.js';
import { estimateRequestCost, type ImageSize } from '../src/annotators/cost/estimate-request-cost.js';
import { estimateRun } from '../src/runs/estimate-run.js';
import { planRequests } from './support/plan-requests.js';
import type { ImageDetail } from '../src/annotators/cost/image-tokens.js';
import { findModelPrice, loadPriceTable } from '../src/annotators/cost/price-table.js';
import { loadPrompt } from '../src/annotators/llm/prompt-file.js';
import { resolveLlmSettings } from '../src/annotators/llm/llm-settings.js';
import { type FaceMode, findFaces } from '../src/faces/find-faces.js';
import { createTinyFaceDetector } from '../src/faces/tiny-face-detector.js';
import { loadFrames } from '../src/media/load-frames.js';
import { annotate } from '../src/pipeline/annotate.js';
import { basic7 } from '../src/taxonomy/taxonomy.js';
import { startFakeOpenAiServer } from '../test/support/fake-openai-server.js';
import { makeBenchClips } from './support/bench-clips.js';
import { describeMachine, formatMarkdownTable } from './support/bench-report.js';

const MODEL = process.env.EMOLABEL_BENCH_MODEL ?? 'openai:gpt-4o-mini';
const CLIPS = Number(process.env.EMOLABEL_BENCH_CLIPS ?? '24');
/** Clips sent to the fake server for the estimate-versus-reported check. */
const CHECKED_CLIPS = Math.min(4, CLIPS);
/** 720p, the face about a quarter of the frame's height (a faces-dev still on a grey canvas), as in footage of a person. */
const CLIP = { width: 1280, height: 720, fps: 25, seconds: 2, faceShare: 0.25 } as const;
const STRATEGIES = ['frame', 'multi', 'grid'] as const;
const FRAME_COUNTS = [4, 8] as const;
const FACE_MODES: readonly FaceMode[] = ['largest', 'none'];
const DETAILS: readonly ImageDetail[] = ['low', 'high'];
const TARGET_SHARE = 0.25;
/** Priced too, at 8 frames, to show where face crops save (models billed by pixels or patches); detail auto unless given. */
const OTHER_MODELS: ReadonlyArray<{ readonly model: string; readonly detail?: ImageDetail }> = [
  { model: 'openai:gpt-4.1-mini' }, { model: 'openai:gpt-5.4-mini' }, { model: 'openai:gpt-5-nano' },
  { model: 'anthropic:claude-haiku-4-5' }, { model: 'anthropic:claude-sonnet-4-6' },
  { model: 'google:gemini-3.1-flash-lite' }, { model: 'google:gemini-3.1-flash-lite', detail: 'low' }, { model: 'google:gemini-3-flash', detail: 'low' },
];

interface Cell {
  readonly strategy: string;
  readonly frames: number;
  readonly faces: FaceMode;
  readonly detail: ImageDetail;
  readonly requests: number;
  readonly images: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Undefined when a request has no known cost (no price, or no image rule). */
  readonly costUsd: number | undefined;
}

/** Dollars with `digits` decimals, scaled by `scale`; `unknown` for an unknown cost (never $0). */
const usd = (value: number | undefined, scale = 1, digits = 2) => (value === undefined ? 'unknown' : `$${(value * scale).toFixed(digits)}`);

const cellName = (cell: Pick<Cell, 'strategy' | 'frames' | 'faces' | 'detail'>) =>
  `${cell.strategy}, ${cell.frames} frames, ${cell.faces === 'none' ? 'whole frames' : 'face crops'}, ${cell.detail}`;

/** Face crops seen at 8 frames: how many frames had a face, and the crops' sizes. */
const cropStats = { frames: 0, found: 0, sides: [] as number[] };

/** Per clip, every face track's crop sizes, for each frame count and face mode (decoded and detected once). */
async function collectCropSizes(clips: readonly string[]): Promise<Map<string, ImageSize[][][]>> {
  const detector = createTinyFaceDetector();
  const sizes = new Map<string, ImageSize[][][]>();
  for (const frames of FRAME_COUNTS) {
    for (const faces of FACE_MODES) sizes.set(`${frames}|${faces}`, []);
    for (const clip of clips) {
      const decoded = await loadFrames({ id: clip, path: clip, kind: 'video' }, frames);
      for (const faces of FACE_MODES) {
        const tracks = await findFaces(decoded, faces === 'none' ? undefined : detector, { mode: faces });
        if (faces === 'largest' && frames === 8) {
          const crops = tracks.flatMap((track) => track.crops);
          cropStats.frames += crops.length;
          cropStats.found += crops.filter((crop) => crop.faceFound).length;
          cropStats.sides.push(...crops.filter((crop) => crop.faceFound).map((crop) => Math.max(crop.image.width, crop.image.height)));
        }
        sizes.get(`${frames}|${faces}`)?.push(tracks.map((track) => track.crops.map((crop) => ({ width: crop.image.width, height: crop.image.height }))));
      }
    }
  }
  return sizes;
}

function priceCells(sizes: Map<string, ImageSize[][][]>, clipCount: number, model = MODEL, details: readonly ImageDetail[] = DETAILS): Cell[] {
  const annotator = createAnnotator(model, {});
  const settings = resolveLlmSettings({});
  const prompt = loadPrompt(settings.prompt);
  const price = findModelPrice(loadPriceTable(settings.priceTable), model);
  if (price === undefined) throw new Error(`${model} has no price in the price table`);
  const cells: Cell[] = [];
  for (const strategy of STRATEGIES) {
    for (const frames of FRAME_COUNTS) {
      for (const faces of FACE_MODES) {
        for (const detail of details) {
          const requests = (sizes.get(`${frames}|${faces}`) ?? []).flatMap((tracks) => tracks.flatMap((crops) => planRequests(strategy, crops, annotator.capabilities.maxImagesPerRequest)));
          const estimates = requests.map((request) =>
            estimateRequestCost({ price, prompt, taxonomy: basic7, images: request.images, layout: request.layout, imageSize: settings.imageSize, detail }));
          const total = (pick: (estimate: (typeof estimates)[number]) => number) => estimates.reduce((sum, estimate) => sum + pick(estimate), 0) / clipCount;
          cells.push({
            strategy, frames, faces, detail, requests: requests.length / clipCount,
            images: requests.reduce((sum, request) => sum + request.images.length, 0) / clipCount,
            inputTokens: total((estimate) => estimate.inputTokens), outputTokens: total((estimate) => estimate.outputTokens),
            costUsd: estimates.some((estimate) => estimate.costUsd === undefined) ? undefined : total((estimate) => estimate.costUsd ?? 0),
          });
        }
      }
    }
  }
  return cells;
}

/** The sizes of the first `count` clips only. */
function firstClips(sizes: Map<string, ImageSize[][][]>, count: number): Map<string, ImageSize[][][]> {
  return new Map([...sizes].map(([key, clips]) => [key, clips.slice(0, count)]));
}

/** The same clips through `estimateRun` (what `--dry-run` prints) for one cell: it must give the same tokens. */
async function crossCheck(clips: readonly string[], cell: Cell, clipCount: number): Promise<string> {
  const estimate = await estimateRun(clips, { model: MODEL, strategy: cell.strategy, frames: cell.frames, faces: cell.faces, taxonomy: basic7, annotatorSettings: { detail: cell.detail } });
  const perClip = (estimate.total.inputTokens + estimate.total.outputTokens) / clipCount;
  const ours = cell.inputTokens + cell.outputTokens;
  return `estimateRun (--dry-run) for ${cellName(cell)}: ${perClip.toFixed(0)} tokens/clip, this bench: ${ours.toFixed(0)} (${perClip === ours ? 'same' : 'DIFFERENT'})`;
}

/** Estimated against reported tokens, real annotator against the fake server, for a few clips. */
async function checkAgainstReported(clips: readonly string[], cells: readonly Cell[], estimated: readonly Cell[]): Promise<string[][]> {
  const server = await startFakeOpenAiServer();
  const rows: string[][] = [];
  try {
    for (const cell of cells) {
      const annotator = createAnnotator(MODEL, { baseUrl: server.url, env: { OPENAI_API_KEY: 'sk-bench-not-a-key' }, detail: cell.detail });
      const { summary } = await annotate([...clips], { annotator, strategy: cell.strategy, frames: cell.frames, faces: cell.faces, concurrency: 2 });
      const match = estimated.find((each) => cellName(each) === cellName(cell));
      const estimatedTokens = ((match?.inputTokens ?? 0) + (match?.outputTokens ?? 0)) * clips.length;
      const reportedTokens = summary.inputTokens + summary.outputTokens;
      rows.push([cellName(cell), String(summary.items), estimatedTokens.toFixed(0), String(reportedTokens), `${((100 * (estimatedTokens - reportedTokens)) / reportedTokens).toFixed(1)}%`]);
    }
  } finally {
    await server.close();
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`cost per clip: ${MODEL}, ${CLIPS} clips of ${CLIP.seconds} s at ${CLIP.width}x${CLIP.height}, ${CLIP.fps} fps, made from faces-dev stills (face about ${CLIP.faceShare * 100}% of the frame height)`);
  console.log(`machine: ${describeMachine()}`);
  const clips = await makeBenchClips({ ...CLIP, count: CLIPS, prefix: 'cost-clips' });
  const sizes = await collectCropSizes(clips);
  const cells = priceCells(sizes, clips.length);
  const baseline = cells.find((cell) => cell.strategy === 'frame' && cell.frames === 8 && cell.faces === 'largest' && cell.detail === 'low');
  const target = cells.find((cell) => cell.strategy === 'grid' && cell.frames === 8 && cell.faces === 'largest' && cell.detail === 'low');
  if (baseline === undefined || target === undefined) throw new Error('missing the baseline or target cell');
  const baselineTokens = baseline.inputTokens + baseline.outputTokens;
  console.log(`\n${MODEL}, per clip, by the price table (baseline: ${cellName(baseline)}, the paper's frame-by-frame)\n`);
  console.log(formatMarkdownTable(
    ['strategy', 'frames', 'images', 'detail', 'requests', 'images sent', 'input tokens', 'output tokens', 'USD per clip', 'USD per 1,000 clips', 'tokens vs baseline'],
    cells.map((cell) => [
      cell.strategy, String(cell.frames), cell.faces === 'none' ? 'whole frames' : 'face crops', cell.detail, cell.requests.toFixed(1), cell.images.toFixed(1),
      cell.inputTokens.toFixed(0), cell.outputTokens.toFixed(0), usd(cell.costUsd, 1, 6), usd(cell.costUsd, 1000),
      `${((100 * (cell.inputTokens + cell.outputTokens)) / baselineTokens).toFixed(1)}%`,
    ]),
  ));
  const sides = [...cropStats.sides].sort((a, b) => a - b);
  console.log(`\nface crops at 8 frames: a face in ${cropStats.found} of ${cropStats.frames} frames; crop longest side ${sides[0] ?? 0}-${sides[sides.length - 1] ?? 0} px, median ${sides[Math.floor(sides.length / 2)] ?? 0} px (whole frames are sent at ${CLIP.width >= CLIP.height ? `512x${Math.round((512 * CLIP.height) / CLIP.width)}` : 'up to 512 px'})`);
  console.log(`\nother models at 8 frames, detail auto (each provider's default) unless named: USD per 1,000 clips (tokens per clip)\n`);
  const others = OTHER_MODELS.map(({ model, detail }) => ({
    model: detail === undefined ? model : `${model}, detail ${detail}`, cells: priceCells(sizes, clips.length, model, [detail ?? 'auto']).filter((cell) => cell.frames === 8),
  }));
  const otherCell = (cells: readonly Cell[], strategy: string, faces: FaceMode) => {
    const cell = cells.find((each) => each.strategy === strategy && each.faces === faces);
    return cell === undefined ? '' : `${usd(cell.costUsd, 1000)} (${((cell.inputTokens + cell.outputTokens) / 1000).toFixed(1)}k)`;
  };
  console.log(formatMarkdownTable(
    ['model', ...STRATEGIES.flatMap((strategy) => [`${strategy}, face crops`, `${strategy}, whole frames`])],
    others.map(({ model, cells }) => [model, ...STRATEGIES.flatMap((strategy) => [otherCell(cells, strategy, 'largest'), otherCell(cells, strategy, 'none')])]),
  ));

  const table = loadPriceTable(resolveLlmSettings({}).priceTable);
  const priced = [MODEL, ...new Set(OTHER_MODELS.map(({ model }) => model))].map((model) => {
    const price = findModelPrice(table, model);
    return `${model} ${price?.inputPerMillion ?? '?'}/${price?.outputPerMillion ?? '?'} from ${price?.source ?? 'nowhere'}${price?.checked ? ` (${price.checked})` : ''}`;
  });
  console.log(`\nprices per million input/output tokens: ${priced.join('; ')}`);

  const checkedCells = priceCells(firstClips(sizes, CHECKED_CLIPS), CHECKED_CLIPS);
  console.log(`\n${await crossCheck(clips.slice(0, CHECKED_CLIPS), checkedCells.find((cell) => cellName(cell) === cellName(target)) ?? target, CHECKED_CLIPS)}`);

  const checked = cells.filter((cell) => cell.frames === 8 && cell.faces === 'largest');
  console.log(`\nestimated against reported tokens: ${CHECKED_CLIPS} clips through the real ${MODEL} annotator against the fake OpenAI server (gpt-4o-mini usage rules)\n`);
  console.log(formatMarkdownTable(['setting', 'clips', 'estimated tokens', 'reported tokens', 'estimate off by'], await checkAgainstReported(clips.slice(0, CHECKED_CLIPS), checked, checkedCells)));

  const sensible = cells.filter((cell) => cell.faces === 'largest');
  const dollars = (cell: Cell) => cell.costUsd ?? Number.POSITIVE_INFINITY;
  const cheapest = sensible.reduce((best, cell) => (dollars(cell) < dollars(best) || (dollars(cell) === dollars(best) && cell.frames > best.frames) ? cell : best));
  const share = (cell: Cell) => (cell.inputTokens + cell.outputTokens) / baselineTokens;
  console.log(`\ncheapest sensible setting: ${cellName(cheapest)}: ${(cheapest.inputTokens + cheapest.outputTokens).toFixed(0)} tokens, ${usd(cheapest.costUsd, 1000)} per 1,000 clips, ${(100 * share(cheapest)).toFixed(1)}% of the baseline's ${baselineTokens.toFixed(0)} tokens (${usd(baseline.costUsd, 1000)} per 1,000 clips): ${(1 / share(cheapest)).toFixed(1)}x fewer`);
  console.log(`verdict: ${share(target) <= TARGET_SHARE ? 'PASS' : 'MISSED'}: ${cellName(target)} uses ${(100 * share(target)).toFixed(1)}% of the frame-by-frame tokens (target at most ${TARGET_SHARE * 100}%)`);
}

await main();
