import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnotationRequest } from '../../src/annotators/annotator.js';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { annotationFromFields } from '../../src/annotators/llm/annotation-from-fields.js';
import { annotationJsonSchema } from '../../src/annotators/llm/annotation-schema.js';
import { prepareImage } from '../../src/annotators/llm/build-llm-request.js';
import { resolveLlmSettings } from '../../src/annotators/llm/llm-settings.js';
import { loadLocalModelReliability } from '../../src/annotators/llm/local-model-reliability.js';
import { openAiProvider } from '../../src/annotators/llm/openai-annotator.js';
import { parseReply } from '../../src/annotators/llm/parse-reply.js';
import { loadPrompt } from '../../src/annotators/llm/prompt-file.js';
import { promptSchema, renderPrompt } from '../../src/annotators/llm/prompt-request.js';
import { decodeImage } from '../../src/media/decode-image.js';
import type { RgbImage } from '../../src/media/rgb-image.js';
import { BASIC_LABELS } from '../../src/taxonomy/basic-labels.js';
import { basic7, type Taxonomy, ternary } from '../../src/taxonomy/taxonomy.js';
import { demoFace } from '../support/demo-faces.js';
import { loadFacesDev } from '../support/faces-dev.js';
import type { FakeAnswerOptions, FakeServer } from '../support/fake-http-server.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';

type Chat = { messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }>; response_format: { json_schema: { schema: Record<string, any> } } };

const textOf = (parts: readonly { kind: string; text?: string }[]) => parts.flatMap((part) => (part.kind === 'text' ? [part.text ?? ''] : [])).join('\n');
const userText = (body: unknown) => (body as Chat).messages.filter((message) => message.role === 'user')
  .map((message) => (typeof message.content === 'string' ? message.content : message.content.map((part) => part.text ?? '').filter(Boolean).join('\n'))).join('\n');
const facesDev = loadFacesDev();
const PROVIDER = { modelId: 'gpt-4o-mini', displayId: 'openai:gpt-4o-mini', apiKey: 'sk-prompts-v2' };

/** `count` real faces of one class: faces-dev when present, else the demo photos. */
async function faces(count: number, label = 'Happy'): Promise<RgbImage[]> {
  const paths = 'images' in facesDev
    ? facesDev.images.filter((image) => image.label === label).slice(0, count).map((image) => image.path)
    : Array.from({ length: count }, (_, index) => demoFace((1 + (index % 3)) as 1 | 2 | 3));
  return Promise.all(paths.map((path) => decodeImage(readFileSync(path), path)));
}

async function rendered(prompt: string, request: AnnotationRequest) {
  const images = await Promise.all(request.images.map((image) => prepareImage(image, { maxSide: 512, quality: 85 })));
  return renderPrompt(loadPrompt(prompt), request, images);
}

/** The sentences of a rendered hint@v2 about the classifier. */
async function hintSentences(taxonomy: Taxonomy, request: Partial<AnnotationRequest> = {}): Promise<string> {
  const images = request.images ?? (await faces(1));
  const { parts } = await rendered('hint', { images, taxonomy, ...request });
  return /A small facial-expression classifier[^\n]*/.exec(textOf(parts))?.[0] ?? '';
}

describe('the local model reliability behind hint@v2', () => {
  it('is a dated measurement on faces-dev, per class, for basic7 and ternary', () => {
    const reliability = loadLocalModelReliability();
    expect(reliability).toMatchObject({ dataset: 'faces-dev', images: 187, source: 'bench/local-model-reliability.ts' });
    expect(reliability.measured).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(reliability.taxonomies.basic7?.classes ?? {})).toEqual([...BASIC_LABELS]);
    expect(Object.keys(reliability.taxonomies.ternary?.classes ?? {})).toEqual(ternary.labels);
    for (const taxonomy of Object.values(reliability.taxonomies)) {
      expect(Object.values(taxonomy.classes).reduce((sum, row) => sum + row.support, 0)).toBe(187);
      for (const row of Object.values(taxonomy.classes)) expect(row.precision ?? 0).toBeGreaterThanOrEqual(0);
    }
    if ('images' in facesDev) expect(reliability.images).toBe(facesDev.images.length);
  });
});

describe('hint@v2 text, per taxonomy', () => {
  const reliability = loadLocalModelReliability();
  const percent = (taxonomy: string, label: string) => `${Math.round((reliability.taxonomies[taxonomy]?.classes[label]?.precision ?? 0) * 100)}%`;

  it('names the first two choices only, each with how often the classifier is right when it makes it, and no probabilities', async () => {
    const hint = await hintSentences(basic7, { hint: { Angry: 0.01, Disgust: 0.01, Fear: 0.01, Happy: 0.9, Neutral: 0.05, Sad: 0.01, Surprise: 0.01 } });
    expect(hint).toContain('its first choice is Happy and its second Neutral.');
    expect(hint).toContain(`On 187 labelled face photos, it was right about ${percent('basic7', 'Happy')} of the time when it said Happy, and about ${percent('basic7', 'Neutral')} when it said Neutral.`);
    expect(hint).not.toMatch(/0\.\d\d|half of the time|Surprise|Angry/);
  });

  it('ternary: speaks of ternary labels and their own reliability, and of no basic7 class', async () => {
    const hint = await hintSentences(ternary, { hint: { negative: 0.1, neutral: 0.2, positive: 0.7 } });
    expect(hint).toContain(`its first choice is positive and its second neutral. On 187 labelled face photos, it was right about ${percent('ternary', 'positive')} of the time when it said positive`);
    // Neutral is a label of both; no other basic7 class may appear, in any spelling.
    for (const basic of BASIC_LABELS.filter((label) => label !== 'Neutral')) expect(hint).not.toMatch(new RegExp(basic.slice(0, 4), 'i'));
  });

  it('a custom taxonomy gets the choices but no reliability it was never measured on', async () => {
    const custom: Taxonomy = { ...ternary, name: 'valence', labels: ['unpleasant', 'neutral', 'pleasant'], fromBasic: { ...ternary.fromBasic, Happy: 'pleasant', Surprise: 'pleasant', Angry: 'unpleasant', Disgust: 'unpleasant', Fear: 'unpleasant', Sad: 'unpleasant' } };
    const hint = await hintSentences(custom, { hint: { unpleasant: 0.6, neutral: 0.3, pleasant: 0.1 } });
    expect(hint).toContain('its first choice is unpleasant and its second neutral.');
    expect(hint).not.toContain('labelled face photos');
  });

  it.skipIf(!('images' in facesDev))('runs the local model on real smiling faces when given no hint: first choice Happy, or positive in ternary', async () => {
    const happy = await faces(3);
    expect(await hintSentences(basic7, { images: happy })).toContain('its first choice is Happy');
    expect(await hintSentences(ternary, { images: happy })).toContain('its first choice is positive');
  });
});

describe('prompts v2 text', () => {
  it('says what the images are: one face, whole frames, or frames of a clip whose peak expression is the label', async () => {
    const [face] = await faces(1);
    for (const mode of ['direct', 'au-cot', 'hint']) {
      const one = textOf((await rendered(mode, { images: [face!], taxonomy: basic7, hint: { Happy: 1 } })).parts);
      expect(one).toContain("The image is cropped to one person's face.");
      expect(one).not.toContain('peak expression');
      const whole = textOf((await rendered(mode, { images: [face!], taxonomy: basic7, hint: { Happy: 1 }, imageContent: 'frame' })).parts);
      expect(whole).toContain('The image is a whole video frame, not cropped to a face.');
      expect(whole).toMatch(/abstain with several_faces/);
      expect(whole).not.toContain('face of one person');
      const clip = textOf((await rendered(mode, { images: [face!, face!, face!], taxonomy: basic7, hint: { Happy: 1 } })).parts);
      expect(clip).toContain('Label the peak expression of the clip: the strongest emotion any frame shows');
      const grid = textOf((await rendered(mode, { images: [face!], taxonomy: basic7, hint: { Happy: 1 }, layout: { kind: 'grid', columns: 3, rows: 3, frameCount: 8 } })).parts);
      expect(grid).toContain('a grid of 8 frames of one short video clip, numbered 1 to 8');
      expect(grid).toContain('Label the peak expression of the clip');
      for (const text of [one, whole, clip, grid]) {
        expect(text).toMatch(/no_face[\s\S]*occluded[\s\S]*several_faces[\s\S]*too_blurred/);
        // The schema goes as structured output: the text does not repeat its field list.
        expect(text).not.toMatch(/with these fields|"faceVisible"|"distribution":/);
      }
    }
  });

  it('au-cot@v2 asks for the peak frame, then each action unit with the label it suggests, then the label', async () => {
    const clip = await rendered('au-cot', { images: await faces(3), taxonomy: ternary });
    expect(textOf(clip.parts)).toMatch(/1\. Peak frame[\s\S]*2\. Action units[^\n]*the label it suggests[\s\S]*3\. Interpretation[\s\S]*4\. Label[\s\S]*5\. Frames/);
    expect(Object.keys(clip.jsonSchema.properties as object)).toEqual(['abstain', 'peakFrame', 'actionUnits', 'interpretation', 'label', 'confidence', 'distribution', 'frames', 'rationale']);
    const one = await rendered('au-cot', { images: await faces(1), taxonomy: ternary });
    expect(textOf(one.parts)).toMatch(/1\. Action units[\s\S]*2\. Interpretation[\s\S]*3\. Label/);
    expect(textOf(one.parts)).not.toContain('Peak frame');
  });
});

describe('prompts v2 against the fake OpenAI server, through the real transport', () => {
  let server: FakeServer & { url: string };
  let answer: FakeAnswerOptions | undefined;
  beforeAll(async () => {
    server = await startFakeOpenAiServer({ answer: () => answer });
  });
  afterAll(() => server.close());

  async function ask(prompt: string, request: AnnotationRequest) {
    const { system, parts, jsonSchema, schema } = await rendered(prompt, request);
    const settings = resolveLlmSettings({ baseUrl: server.url, env: {} }, PROVIDER.displayId);
    const transport = openAiProvider.createTransport({ ...PROVIDER, settings });
    const reply = await transport.send({ modelId: PROVIDER.modelId, system, parts, jsonSchema, schemaName: 'record_emotion', temperature: 0, detail: 'low', maxOutputTokens: 1024 }, new AbortController().signal);
    const parsed = parseReply(reply, schema);
    if (parsed.kind !== 'ok') throw new Error(`unexpected ${parsed.kind}`);
    return annotationFromFields(parsed.fields, { promptVersion: loadPrompt(prompt).version });
  }

  it('multi: one answer gives the clip label and each frame\'s label, and au-cot the peak frame and what each AU suggests', async () => {
    answer = undefined;
    const annotation = await ask('au-cot', { images: await faces(4), taxonomy: basic7 });
    expect(annotation).toMatchObject({ status: 'ok', label: 'Happy', peakFrame: 2, promptVersion: 'au-cot@v2' });
    expect(annotation.perFrameLabels).toEqual([1, 2, 3, 4].map((index) => ({ index, label: 'Happy' })));
    expect(annotation.actionUnits).toEqual([expect.objectContaining({ unit: 'AU6', suggests: 'Happy' }), expect.objectContaining({ unit: 'AU12', suggests: 'Happy' })]);
    const sent = (server.requests.at(-1)?.body as Chat).response_format.json_schema.schema;
    expect(sent.properties.frames.items.properties.index.maximum).toBe(4);
  });

  it('an abstention comes back as status abstained with its reason; hint@v2 says whether the hint was followed', async () => {
    answer = { abstain: 'several_faces' };
    expect(await ask('direct', { images: await faces(1), taxonomy: ternary, imageContent: 'frame' })).toMatchObject({ status: 'abstained', abstain: 'several_faces' });
    answer = { hintFollowed: false };
    const hinted = await ask('hint', { images: await faces(1), taxonomy: ternary, hint: { negative: 0.6, neutral: 0.3, positive: 0.1 } });
    expect(hinted).toMatchObject({ status: 'ok', hintFollowed: false });
    expect((server.requests.at(-1)?.body as Chat).response_format.json_schema.schema.required).toContain('hintFollowed');
  });

  it('v1 stays as it was: renderPrompt builds exactly what the annotator sends for a v1 prompt', async () => {
    answer = undefined;
    const images = await faces(3);
    const cases: Array<[string, AnnotationRequest]> = [
      ['direct@v1', { images, taxonomy: basic7 }],
      ['au-cot@v1', { images: images.slice(0, 1), taxonomy: ternary }],
      ['hint@v1', { images: images.slice(0, 1), taxonomy: ternary, hint: { negative: 0.1, neutral: 0.2, positive: 0.7 } }],
      ['direct@v1', { images: images.slice(0, 1), taxonomy: basic7, layout: { kind: 'grid', columns: 3, rows: 3, frameCount: 8 } }],
    ];
    for (const [prompt, request] of cases) {
      await createAnnotator('openai:gpt-4o-mini', { baseUrl: server.url, env: { OPENAI_API_KEY: 'sk-v1' }, prompt }).annotate(request);
      const sent = server.requests.at(-1)?.body as Chat;
      const { system, parts, jsonSchema } = await rendered(prompt, request);
      expect(sent.messages[0]).toEqual({ role: 'system', content: system });
      expect(userText(sent)).toBe(textOf(parts));
      expect(sent.response_format.json_schema.schema).toEqual(jsonSchema);
      expect(Object.keys(jsonSchema.properties as object)[0]).toBe('faceVisible');
    }
  });
});

describe('promptSchema', () => {
  it('depends only on the prompt\'s schema version and mode and the request\'s shape, so a cost estimate can ask for it with image sizes', () => {
    const sizes = [{ width: 300, height: 300 }, { width: 300, height: 300 }];
    const v2 = promptSchema(loadPrompt('hint'), { taxonomy: ternary, images: sizes });
    expect(Object.keys(annotationJsonSchema(v2).properties as object)).toEqual(['abstain', 'label', 'confidence', 'distribution', 'frames', 'rationale', 'hintFollowed']);
    expect(promptSchema(loadPrompt('hint'), { taxonomy: ternary, images: [{}, {}] })).toBe(v2);
    const grid = promptSchema(loadPrompt('direct'), { taxonomy: ternary, images: [{}], layout: { kind: 'grid', columns: 3, rows: 3, frameCount: 8 } });
    expect((annotationJsonSchema(grid).properties as any).frames.items.properties.index.maximum).toBe(8);
    expect(Object.keys(annotationJsonSchema(promptSchema(loadPrompt('hint@v1'), { taxonomy: ternary, images: sizes })).properties as object)[0]).toBe('faceVisible');
  });
});
