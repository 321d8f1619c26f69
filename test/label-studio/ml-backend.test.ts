import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { LabelStudioPredictor } from '../../src/label-studio/label-studio-predictor.js';
import { createMlBackendApp } from '../../src/label-studio/ml-backend-app.js';
import type { BackendPrediction } from '../../src/label-studio/prediction-results.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { normaliseLabel } from '../../src/taxonomy/taxonomy.js';
import { type FakeLabelStudio, startFakeLabelStudio } from '../../src/testing/fake-label-studio-server.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { makeClipFromStill, makeTempDir } from '../support/make-clips.js';

const API_KEY = 'ls-token-123';
const PHOTO_CONFIG = `<View>
  <Image name="photo" value="$img" zoom="true"/>
  <Header value="How does the person feel?"/>
  <Choices name="feeling" toName="photo" choice="single">
    <Choice value="Anger"/><Choice value="Disgust"/><Choice value="Fear"/><Choice value="Happiness"/>
    <Choice value="Neutral"/><Choice value="Sadness"/><Choice value="Surprise"/><Choice value="Other"/>
  </Choices>
  <RectangleLabels name="face" toName="photo">
    <Label value="angry"/><Label value="disgusted"/><Label value="scared"/><Label value="happy"/>
    <Label value="calm"/><Label value="sad"/><Label value="surprised"/>
  </RectangleLabels>
</View>`;
const EMOTIONS = ['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise'];
const labelTags = (tag: string) => EMOTIONS.map((label) => `<${tag} value="${label}"/>`).join('');
const VIDEO_CONFIG = `<View>
  <Video name="clip" value="$video" frameRate="$fps"/>
  <Choices name="overall" toName="clip">${labelTags('Choice')}</Choices>
  <Labels name="who" toName="clip">${labelTags('Label')}</Labels>
  <VideoRectangle name="track" toName="clip"/>
  <TimelineLabels name="moments" toName="clip">${labelTags('Label')}</TimelineLabels>
</View>`;

/** A task as Label Studio sends it in POST /predict. */
const lsTask = (id: number, data: Record<string, unknown>) => ({
  id, data, meta: {}, created_at: '2026-12-01T09:00:00.000Z', updated_at: '2026-12-01T09:00:00.000Z', is_labeled: false,
  overlap: 1, inner_id: id, total_annotations: 0, cancelled_annotations: 0, total_predictions: 0, project: 1, updated_by: null,
  file_upload: null, comment_count: 0, annotations: [], predictions: [],
});
const predictBody = (tasks: unknown[], labelConfig: string) => ({
  tasks, model_version: 'INITIAL', project: '1.1764580000', label_config: labelConfig,
  params: { login: null, password: null, context: null },
});

describe('emolabel as a Label Studio ML backend', () => {
  const { dir, cleanup } = makeTempDir('emolabel-ls-backend-');
  let labelStudio: FakeLabelStudio;
  let store: RunStore;
  let app: ReturnType<typeof createMlBackendApp>;
  const warnings: string[] = [];

  beforeAll(async () => {
    mkdirSync(join(dir, 'root/faces'), { recursive: true });
    copyFileSync(demoFace(1), join(dir, 'root/faces/one.jpg'));
    symlinkSync('/etc/hostname', join(dir, 'root/faces/escape.jpg'));
    await makeClipFromStill(demoFace(2), join(dir, 'talk.mp4'), { seconds: 1, fps: 10, width: 480, height: 360 });
    labelStudio = await startFakeLabelStudio({ '/data/upload/1/5f2a-portrait.jpg': demoFace(2), '/data/upload/1/9c1d-talk.mp4': join(dir, 'talk.mp4') }, API_KEY);
    store = RunStore.open(join(dir, 'store.db'));
    const predictor = new LabelStudioPredictor({
      spec: runSpecOf([], { model: 'local', frames: 3 }),
      session: { store, workers: 1, concurrency: 1 },
      media: { cacheDir: join(dir, 'media-cache'), labelStudioUrl: labelStudio.origin, apiKey: API_KEY, localFilesRoot: join(dir, 'root') },
      onWarning: (message) => warnings.push(message),
    });
    app = createMlBackendApp(predictor, { basicAuth: { user: 'ls', password: 'pw' } });
  });
  afterAll(async () => {
    store.close();
    await labelStudio.close();
    cleanup();
  });

  const auth = { authorization: `Basic ${Buffer.from('ls:pw').toString('base64')}` };
  const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
    app.request(`http://127.0.0.1:9090${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  const predict = async (tasks: unknown[], config: string) => {
    const response = await post('/predict', predictBody(tasks, config));
    expect(response.status).toBe(200);
    return ((await response.json()) as { results: BackendPrediction[] }).results;
  };

  it('answers health checks and asks for the basic auth Label Studio sends', async () => {
    expect((await app.request('http://127.0.0.1:9090/health')).status).toBe(401);
    const health = await app.request('http://127.0.0.1:9090/health', { headers: auth });
    expect(await health.json()).toMatchObject({ status: 'UP', model_class: 'emolabel' });
    expect((await app.request('http://127.0.0.1:9090/', { headers: auth })).status).toBe(200);
  });

  it('accepts a config it can serve at /setup and names what is missing in one it cannot', async () => {
    const setup = await post('/setup', { project: '1.1764580000', schema: PHOTO_CONFIG, hostname: labelStudio.origin, access_token: API_KEY, model_version: null, extra_params: null });
    expect(await setup.json()).toEqual({ model_version: 'emolabel local frame' });
    const text = await post('/setup', { project: '1.1764580000', schema: '<View><Text name="t" value="$text"/><TextArea name="a" toName="t"/></View>' });
    expect(text.status).toBe(400);
    expect(((await text.json()) as { detail: string }).detail).toMatch(/needs an <Image> or <Video> object .* found TextArea "a"/);
    const colours = await post('/setup', { project: '1.1', schema: '<View><Image name="i" value="$image"/><Choices name="c" toName="i"><Choice value="Red"/><Choice value="Blue"/></Choices></View>' });
    expect(((await colours.json()) as { detail: string }).detail).toMatch(/none of the labels .* \(Red, Blue\) maps onto the basic7 taxonomy/);
  });

  it("predicts a photo uploaded to Label Studio in the config's own label names, fetching it with the API token", async () => {
    const [prediction] = await predict([lsTask(11, { img: '/data/upload/1/5f2a-portrait.jpg' })], PHOTO_CONFIG);
    expect(labelStudio.requests.at(-1)).toMatchObject({ path: '/data/upload/1/5f2a-portrait.jpg', authorization: `Token ${API_KEY}`, status: 200 });
    const choice = prediction?.result.find((entry) => entry.type === 'choices');
    const box = prediction?.result.find((entry) => entry.type === 'rectanglelabels');
    expect(choice).toMatchObject({ from_name: 'feeling', to_name: 'photo' });
    const said = (choice?.value as { choices: string[] }).choices[0] ?? '';
    expect(['Anger', 'Disgust', 'Fear', 'Happiness', 'Neutral', 'Sadness', 'Surprise']).toContain(said);
    const boxLabel = (box?.value as { rectanglelabels: string[] }).rectanglelabels[0] ?? '';
    expect(['angry', 'disgusted', 'scared', 'happy', 'calm', 'sad', 'surprised']).toContain(boxLabel);
    // Both controls carry the same emolabel label, each in its own spelling.
    expect(normaliseLabel(boxLabel)).toBe(normaliseLabel(said));
    const value = box?.value as { x: number; y: number; width: number; height: number };
    expect(value.x).toBeGreaterThanOrEqual(0);
    expect(value.x + value.width).toBeLessThanOrEqual(100);
    expect(value.y + value.height).toBeLessThanOrEqual(100);
    expect(prediction?.model_version).toBe('emolabel local frame');
  });

  it('predicts a video with a timeline and a face track, timed by the clip', async () => {
    const [prediction] = await predict([lsTask(12, { video: '/data/upload/1/9c1d-talk.mp4' })], VIDEO_CONFIG);
    const types = prediction?.result.map((entry) => `${entry.type}:${entry.from_name}`) ?? [];
    expect(types[0]).toBe('choices:overall');
    expect(types).toContain('videorectangle:track');
    expect(types).toContain('timelinelabels:moments');
    const track = prediction?.result.find((entry) => entry.type === 'videorectangle')?.value as { framesCount: number; duration: number; labels: string[]; sequence: Array<{ frame: number; x: number; width: number; time: number }> };
    expect(track.framesCount).toBe(10);
    expect(track.duration).toBeCloseTo(1, 1);
    expect(EMOTIONS).toContain(track.labels[0]);
    expect(track.sequence.length).toBeGreaterThan(0);
    for (const key of track.sequence) {
      expect(key.x + key.width).toBeLessThanOrEqual(100);
      expect(key.time).toBeCloseTo((key.frame - 1) / 10, 3);
    }
    const ranges = (prediction?.result.filter((entry) => entry.type === 'timelinelabels') ?? []).map((entry) => (entry.value as { ranges: Array<{ start: number; end: number }> }).ranges[0]);
    expect(ranges[0]?.start).toBe(1);
    expect(ranges.at(-1)?.end).toBe(10);
  });

  it('answers a re-predict from the stored run: no new run, no new download of results', async () => {
    const before = store.listRuns().length;
    const [again] = await predict([lsTask(11, { img: '/data/upload/1/5f2a-portrait.jpg' })], PHOTO_CONFIG);
    expect(store.listRuns().length).toBe(before);
    expect(again?.result.some((entry) => entry.type === 'choices')).toBe(true);
  });

  it('reads local-files paths under the allowed root and refuses ones that lead out of it', async () => {
    const [inside, outside, missing] = await predict([
      lsTask(21, { img: '/data/local-files/?d=faces/one.jpg' }),
      lsTask(22, { img: '/data/local-files/?d=faces/escape.jpg' }),
      lsTask(23, { image: 'forgot-the-key.jpg' }),
    ], PHOTO_CONFIG);
    expect(inside?.result.length).toBeGreaterThan(0);
    expect(outside?.result).toEqual([]);
    expect(missing?.result).toEqual([]);
    expect(warnings.some((message) => /task 22: .*leads outside the local files root/.test(message))).toBe(true);
    expect(warnings.some((message) => /task 23: its data has no `img`/.test(message))).toBe(true);
  });

  it('gives a task no prediction, and says why, when Label Studio refuses the media', async () => {
    const predictor = new LabelStudioPredictor({
      spec: runSpecOf([], { model: 'local' }), session: { store, workers: 1 },
      media: { cacheDir: join(dir, 'media-cache'), labelStudioUrl: labelStudio.origin, apiKey: 'wrong' }, onWarning: (message) => warnings.push(message),
    });
    const [prediction] = await predictor.predict([lsTask(31, { img: '/data/upload/1/5f2a-portrait.jpg' })], PHOTO_CONFIG);
    expect(prediction?.result).toEqual([]);
    expect(warnings.at(-1)).toMatch(/task 31: .*HTTP 401; check LABEL_STUDIO_API_KEY/);
  });

  it('serves an LLM annotator too: the second predict of the same media sends nothing and costs nothing', async () => {
    const server = await startFakeOpenAiServer({ label: 'Surprise' });
    try {
      const predictor = new LabelStudioPredictor({
        spec: runSpecOf([], { model: 'openai:gpt-4o-mini', faces: 'none', annotatorSettings: { baseUrl: server.url } }),
        session: { store, env: { OPENAI_API_KEY: 'sk-test' }, concurrency: 1 },
        media: { cacheDir: join(dir, 'media-cache'), labelStudioUrl: labelStudio.origin, apiKey: API_KEY },
      });
      const tasks = [lsTask(41, { img: '/data/upload/1/5f2a-portrait.jpg' })];
      const [first] = await predictor.predict(tasks, PHOTO_CONFIG);
      expect(first?.result.find((entry) => entry.type === 'choices')?.value).toEqual({ choices: ['Surprise'] });
      const completions = () => server.requests.filter((request) => request.path.endsWith('/chat/completions')).length;
      expect(completions()).toBe(1);
      const [second] = await predictor.predict(tasks, PHOTO_CONFIG);
      expect(completions()).toBe(1);
      expect(second?.result.find((entry) => entry.type === 'choices')?.value).toEqual({ choices: ['Surprise'] });
    } finally {
      await server.close();
    }
  });

  it('emolabel label-studio-backend refuses half a basic-auth pair before serving', async () => {
    const io = captureIo(dir);
    expect(await runCli(['label-studio-backend', '--port', '0', '--db', join(dir, 'cli.db'), '--basic-auth-user', 'ls'], io)).not.toBe(0);
    expect(io.err()).toMatch(/Give both --basic-auth-user and --basic-auth-pass/);
  });

  it('exchanges a personal access token for an access token, as Label Studio asks of API clients', async () => {
    const pat = 'eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl';
    const withPat = await startFakeLabelStudio({ '/data/upload/1/5f2a-portrait.jpg': demoFace(2) }, 'legacy-unused', { personalAccessToken: pat });
    try {
      const predictor = new LabelStudioPredictor({
        spec: runSpecOf([], { model: 'local' }), session: { store, workers: 1 },
        media: { cacheDir: join(dir, 'media-cache'), labelStudioUrl: withPat.origin, apiKey: pat },
      });
      const [prediction] = await predictor.predict([lsTask(51, { img: '/data/upload/1/5f2a-portrait.jpg' })], PHOTO_CONFIG);
      expect(prediction?.result.length).toBeGreaterThan(0);
      expect(withPat.requests.map((request) => `${request.path} ${request.status} ${request.authorization ?? ''}`)).toEqual([
        '/api/token/refresh 200 ', '/data/upload/1/5f2a-portrait.jpg 200 Bearer access-1',
      ]);
    } finally {
      await withPat.close();
    }
  });

  it('acknowledges webhooks without training', async () => {
    const response = await post('/webhook', { action: 'ANNOTATION_CREATED', annotation: { id: 1, result: [] }, project: { id: 1, label_config: PHOTO_CONFIG }, task: { id: 11 } });
    expect(response.status).toBe(201);
    expect(await (await post('/webhook', { action: 'PROJECT_UPDATED' })).json()).toEqual({ status: 'Unknown event' });
  });
});
