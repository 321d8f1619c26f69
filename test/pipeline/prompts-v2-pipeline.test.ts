import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { toCsvRow } from '../../src/output/result-row.js';
import { annotate } from '../../src/pipeline/annotate.js';
import { ternary } from '../../src/taxonomy/taxonomy.js';
import { demoFace } from '../support/demo-faces.js';
import { startFakeAnthropicServer } from '../support/fake-anthropic-server.js';
import { startFakeGoogleServer } from '../support/fake-google-server.js';
import type { FakeAnswerOptions, FakeServer } from '../support/fake-http-server.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { loadFacesDev } from '../support/faces-dev.js';
import { makeTempDir } from '../support/make-clips.js';
import { llmAnnotatorRendersPrompts, PROMPT_WIRING_MISSING } from '../support/prompt-wiring.js';

const wired = await llmAnnotatorRendersPrompts();
if (!wired) console.warn(`Skipping the end-to-end checks of prompts v2 through providers: ${PROMPT_WIRING_MISSING}`);

type Json = Record<string, any>;
const facesDev = loadFacesDev();

describe.skipIf(!wired)('prompts v2 end to end: real faces, the real annotator, fake providers', () => {
  const { dir, cleanup } = makeTempDir('emolabel-prompts-v2-');
  const env = { OPENAI_API_KEY: 'sk-v2', ANTHROPIC_API_KEY: 'sk-ant-v2', GEMINI_API_KEY: 'AIza-v2' };
  let openai: FakeServer & { url: string };
  let abstainOn = new Set<number>();
  let clip = '';
  beforeAll(async () => {
    // Abstains on the requests whose number (from 1, in the order they arrive) is in `abstainOn`.
    openai = await startFakeOpenAiServer({ answer: (request): FakeAnswerOptions | undefined => (abstainOn.has(openai.requests.indexOf(request) + 1) ? { abstain: 'too_blurred' } : undefined) });
    // One clip of eight real faces (faces-dev crops, else the demo photos), frames 1.jpg … 8.jpg.
    clip = join(dir, 'clips', 'clip');
    const paths = 'images' in facesDev ? facesDev.images.filter((_, index) => index % 23 === 0).slice(0, 8).map((image) => image.path) : Array.from({ length: 8 }, (_, index) => demoFace((1 + (index % 6)) as 1 | 2 | 3 | 4 | 5 | 6));
    mkdirSync(clip, { recursive: true });
    paths.forEach((path, index) => symlinkSync(path, join(clip, `${index + 1}.jpg`)));
  });
  afterAll(async () => {
    await openai.close();
    cleanup();
  });

  const run = (strategy: string, settings: Json = {}) => {
    openai.requests.length = 0;
    const annotator = createAnnotator('openai:gpt-4o-mini', { baseUrl: openai.url, env, ...settings });
    return annotate([join(dir, 'clips')], { annotator, strategy, taxonomy: 'ternary', frames: 8, faces: 'none', clipFolders: true, concurrency: 1 });
  };

  it('sends direct@v2 by default, with its schema, to OpenAI, Anthropic and Gemini', async () => {
    const anthropic = await startFakeAnthropicServer();
    const google = await startFakeGoogleServer();
    try {
      const image = { data: Buffer.alloc(32 * 32 * 3, 100), width: 32, height: 32 };
      const schemas: Json[] = [];
      for (const [id, server, read] of [
        ['openai:gpt-4o-mini', openai, (body: Json) => body.response_format.json_schema.schema],
        ['anthropic:claude-haiku-4-5', anthropic, (body: Json) => body.tools[0].input_schema],
        ['google:gemini-2.5-flash', google, (body: Json) => body.generationConfig.responseJsonSchema],
      ] as const) {
        const annotation = await createAnnotator(id, { baseUrl: server.url, env }).annotate({ images: [image, image], taxonomy: ternary });
        expect(annotation).toMatchObject({ status: 'ok', promptVersion: 'direct@v2', perFrameLabels: [{ index: 1, label: 'positive' }, { index: 2, label: 'positive' }] });
        schemas.push(read(server.requests.at(-1)?.body as Json));
      }
      for (const schema of schemas) expect(Object.keys(schema.properties)).toEqual(['abstain', 'label', 'confidence', 'distribution', 'frames', 'rationale']);
    } finally {
      await Promise.all([anthropic.close(), google.close()]);
    }
  });

  it('frame: abstained frames do not vote; three of eight labelled is no clip label, and the row says so', async () => {
    abstainOn = new Set([2, 3, 4, 5, 6]);
    const { results, summary } = await run('frame');
    expect(openai.requests).toHaveLength(8);
    expect(results[0]).toMatchObject({
      status: 'abstained', abstain: 'too_blurred', promptVersion: 'direct@v2',
      error: 'only 3 of 8 frames got a label (5 abstained (too_blurred)); a clip label needs more than half',
      frameLabels: ['positive', undefined, undefined, undefined, undefined, undefined, 'positive', 'positive'],
    });
    expect(results[0]?.label).toBeUndefined();
    expect(summary).toMatchObject({ items: 1, ok: 0, abstained: 1, failed: 0 });
    expect(toCsvRow(results[0]!, ternary.labels, false)).toMatchObject({ status: 'abstained', abstain: 'too_blurred', label: '' });
    // The frames were sent whole (faces: 'none'), and the prompt says so.
    expect(JSON.stringify(openai.requests[0]?.body)).toContain('The image is a whole video frame, not cropped to a face.');
  });

  it('frame: with three abstentions the five labelled frames vote, and confidence counts all eight', async () => {
    abstainOn = new Set([1, 4, 8]);
    const { results } = await run('frame');
    expect(results[0]).toMatchObject({ status: 'ok', faceDetection: 'not_applied', label: 'positive' });
    expect(results[0]?.frameLabels.filter(Boolean)).toHaveLength(5);
    expect(results[0]?.confidence).toBeCloseTo((5 * 0.82) / 8, 6);
  });

  it('multi: one request gives the clip label and the label of each of the eight frames', async () => {
    abstainOn = new Set();
    const { results } = await run('multi');
    expect(openai.requests).toHaveLength(1);
    expect(results[0]).toMatchObject({ label: 'positive', frameLabels: Array(8).fill('positive') });
  });

  it('grid: the annotator declares its image size, so the grid is drawn at 510x510 and sent as drawn', async () => {
    abstainOn = new Set();
    const { results } = await run('grid', { imageSize: 512 });
    expect(openai.requests[0]?.images).toEqual([expect.objectContaining({ width: 510, height: 510 })]);
    expect(results[0]?.frameLabels).toHaveLength(8);
  });

  it('an abstention of one multi-frame answer is the clip status, and v1 prompts are still selectable', async () => {
    abstainOn = new Set([1]);
    const { results } = await run('multi');
    expect(results[0]).toMatchObject({ status: 'abstained', abstain: 'too_blurred' });
    abstainOn = new Set([1]);
    const v1 = await run('multi', { prompt: 'direct@v1' });
    expect(v1.results[0]).toMatchObject({ status: 'ok', label: 'positive', promptVersion: 'direct@v1', frameLabels: [] });
  });
});
