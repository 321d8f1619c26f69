import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation, Annotator } from '../annotators/annotator.js';
import type { AnnotatorSettings } from '../annotators/annotator-provider.js';
import { costOfUsage, findModelPrice, loadPriceTable } from '../annotators/cost/price-table.js';
import { EmolabelError } from '../errors.js';
import { decodeImage } from '../media/decode-image.js';
import type { RgbImage } from '../media/rgb-image.js';
import { classifyFailure } from '../runs/resilience/classify-failure.js';
import { createResilientAnnotator } from '../runs/resilience/resilient-annotator.js';
import { basic7, ternary } from '../taxonomy/taxonomy.js';
import { defaultContractFaces, demoFace } from './face-images.js';
import type { FakeServer, RecordedRequest } from './fake-http-server.js';

/** How to read what we sent from one provider's request body. */
export interface WireReader {
  temperature(body: unknown): unknown;
  /** The output-token cap the request set. */
  maxOutputTokens(body: unknown): unknown;
  /** The labels the structured-output schema allows. */
  schemaLabels(body: unknown): string[];
  /** All text of the request (system and user), to check what the prompt said. */
  text(body: unknown): string;
}

/** An annotator under contract; LLM subjects come with their fake server. */
export interface ContractSubject {
  readonly name: string;
  create(settings?: AnnotatorSettings): Annotator;
  /**
   * Paths of at least two real face images (JPEG or PNG), read once before the cases run.
   * @default defaultContractFaces(): faces-dev (a Happy, a Sad and a Surprise crop) when present, else face-api's demo photos 1-3
   */
  readonly faces?: readonly string[];
  /**
   * For LLM providers built on emolabel's LLM annotator (settings `env`, `apiKeyEnv`, `baseUrl`,
   * `imageSize`): the fake server, its key variable, and how to read request bodies.
   */
  readonly network?: {
    readonly server: () => FakeServer;
    readonly keyVariable: string;
    readonly key: string;
    readonly wire: WireReader;
  };
  /** Cases that do not apply, with the reason (hono's `skip`). */
  readonly skip?: { readonly abort?: string; readonly network?: string };
}

/** Decodes image files into the RGB images an annotator is given. */
export async function readFaceImages(paths: readonly string[]): Promise<RgbImage[]> {
  return Promise.all(paths.map(async (path) => decodeImage(readFileSync(path), path)));
}

function expectValidAnnotation(annotation: Annotation, labels: readonly string[]): void {
  expect(annotation.status).toBe('ok');
  expect(labels).toContain(annotation.label);
  expect(annotation.confidence).toBeGreaterThanOrEqual(0);
  expect(annotation.confidence).toBeLessThanOrEqual(1);
  if (annotation.distribution) {
    for (const key of Object.keys(annotation.distribution)) expect(labels).toContain(key);
    expect(Object.values(annotation.distribution).reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 3);
  }
  expect(Number.isInteger(annotation.usage?.inputTokens ?? 0)).toBe(true);
  expect(annotation.usage?.outputTokens ?? 0).toBeGreaterThanOrEqual(0);
}

async function rejection(promise: Promise<unknown>): Promise<EmolabelError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(EmolabelError);
  return error as EmolabelError;
}

/**
 * Declares the vitest cases of the contract every annotator meets, local model and each LLM
 * provider alike (hono's `runTest({ newRouter, skip })`). Call it at the top level of a test file.
 *
 * @example
 * runAnnotatorContract({ name: 'acme:vision-1', create: () => createAcmeAnnotator(), skip: { network: 'answers from a local model' } });
 */
export function runAnnotatorContract(subject: ContractSubject): void {
  describe(`annotator contract: ${subject.name}`, () => {
    let faces: RgbImage[] = [];
    // The snapshot must not depend on which faces the subject uses or whether faces-dev is on the machine: it uses the demo photos.
    let demoPhotos: RgbImage[] = [];
    beforeAll(async () => {
      const paths = subject.faces ?? defaultContractFaces();
      if (paths.length < 2) throw new Error(`The annotator contract needs at least two face images; ${subject.name} gave ${paths.length}.`);
      faces = await readFaceImages(paths);
      demoPhotos = await readFaceImages([demoFace(1), demoFace(2)]);
    });

    it('labels a real face with a label of the taxonomy, a confidence and usage', async () => {
      const annotation = await subject.create().annotate({ images: [faces[0]!], taxonomy: basic7 });
      expectValidAnnotation(annotation, basic7.labels);
    });

    it('answers in the taxonomy it is given', async () => {
      const annotation = await subject.create().annotate({ images: [faces[0]!], taxonomy: ternary });
      expectValidAnnotation(annotation, ternary.labels);
    });

    it('takes as many images in one request as it says it takes', async () => {
      const annotator = subject.create();
      const images = faces.slice(0, Math.min(annotator.capabilities.maxImagesPerRequest, faces.length));
      expectValidAnnotation(await annotator.annotate({ images, taxonomy: basic7 }), basic7.labels);
    });

    it.skipIf(subject.skip?.abort !== undefined)(`stops an aborted request with code aborted${subject.skip?.abort ? ` (skipped: ${subject.skip.abort})` : ''}`, async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(subject.create().annotate({ images: [faces[0]!], taxonomy: basic7, signal: controller.signal }));
      expect(error.code).toBe('aborted');
    });

    const network = subject.network;
    if (network === undefined) {
      it.skip(`network cases (skipped: ${subject.skip?.network ?? 'no network'})`, () => undefined);
      return;
    }
    const withKey = (settings: AnnotatorSettings = {}) => subject.create({ env: { [network.keyVariable]: network.key }, ...settings });
    const last = (): RecordedRequest => network.server().requests.at(-1)!;
    afterEach(() => {
      network.server().requests.length = 0;
    });

    it('records the provider usage, its cost by the price table and the prompt version', async () => {
      const annotator = withKey();
      const annotation = await annotator.annotate({ images: [faces[0]!], taxonomy: basic7 });
      expect(annotation.usage?.inputTokens).toBeGreaterThan(0);
      const price = findModelPrice(loadPriceTable(), `${annotator.provider}:${annotator.modelId}`);
      const expected = price ? costOfUsage(price, annotation.usage!) : undefined;
      // An unpriced model (an OpenAI-compatible server) records no cost: unknown, not $0.
      if (expected === undefined) expect(annotation.costUsd).toBeUndefined();
      else expect(annotation.costUsd).toBeCloseTo(expected, 12);
      expect(annotation.promptVersion).toBe('direct@v1');
    });

    it('sends each image as a JPEG scaled to the image size, at temperature 0, with the taxonomy in the schema', async () => {
      await withKey({ imageSize: 200 }).annotate({ images: faces.slice(0, 2), taxonomy: ternary });
      const request = last();
      expect(request.images).toHaveLength(2);
      for (const [index, image] of request.images.entries()) {
        const face = faces[index]!;
        const scale = Math.min(1, 200 / Math.max(face.width, face.height));
        expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(200);
        expect(image.width).toBeCloseTo(face.width * scale, 0);
      }
      expect(network.wire.temperature(request.body)).toBe(0);
      expect(network.wire.schemaLabels(request.body)).toEqual(['negative', 'neutral', 'positive']);
      expect(network.wire.text(request.body)).toMatch(/Frame 1 of 2[\s\S]*Frame 2 of 2/);
    });

    it('sends the request body we expect (snapshot; images elided to size and hash)', async () => {
      await withKey().annotate({ images: demoPhotos, taxonomy: basic7 });
      expect(last().body).toMatchSnapshot();
    });

    it("turns the provider's refusal into status refused, keeping its words", async () => {
      network.server().queue('refusal');
      const annotation = await withKey().annotate({ images: [faces[0]!], taxonomy: basic7 });
      expect(annotation).toMatchObject({ status: 'refused', promptVersion: 'direct@v1' });
      expect(annotation.rawText).toMatch(/\w{3,}/);
      expect(annotation.label).toBeUndefined();
    });

    it('turns a sentence instead of the schema into status refused', async () => {
      network.server().queue('sentence');
      const annotation = await withKey().annotate({ images: [faces[0]!], taxonomy: basic7 });
      expect(annotation.status).toBe('refused');
      expect(annotation.rawText).toMatch(/not able|can't|sorry/i);
    });

    it('repairs an answer that does not fit the schema with one text-only request, after asking the rate limiter', async () => {
      network.server().queue('malformed-answer');
      const requestsWhenAsked: number[] = [];
      const beforeExtraRequest = async () => void requestsWhenAsked.push(network.server().requests.length);
      const annotation = await withKey().annotate({ images: [faces[0]!], taxonomy: basic7, beforeExtraRequest });
      expectValidAnnotation(annotation, basic7.labels);
      expect(requestsWhenAsked).toEqual([1]);
      const [first, repair] = network.server().requests;
      expect(network.server().requests).toHaveLength(2);
      expect(first!.images).toHaveLength(1);
      expect(repair!.images).toHaveLength(0);
      expect(network.wire.text(repair!.body)).toContain('could not be used');
      expect(annotation.warnings?.join(' ')).toMatch(/repaired/);
      expect(annotation.repaired).toBe(true);
    });

    it('asks again with the images and a four times larger output budget when the answer is cut off, never repairing it from text', async () => {
      network.server().queue('cut-off');
      const annotation = await withKey().annotate({ images: [faces[0]!], taxonomy: basic7 });
      expectValidAnnotation(annotation, basic7.labels);
      const [first, again] = network.server().requests;
      expect(network.server().requests).toHaveLength(2);
      expect(first!.images).toHaveLength(1);
      expect(again!.images).toHaveLength(1);
      expect(Number(network.wire.maxOutputTokens(again!.body))).toBe(4 * Number(network.wire.maxOutputTokens(first!.body)));
      expect(annotation.warnings?.join(' ')).toMatch(/cut off at \d+ output tokens/);
      expect(annotation.repaired).toBeUndefined();
    });

    it('an answer cut off twice is an error naming the output budget, never an invented label', async () => {
      network.server().queue('cut-off', 'cut-off');
      const annotation = await withKey().annotate({ images: [faces[0]!], taxonomy: basic7 });
      expect(annotation.status).toBe('error');
      expect(annotation.label).toBeUndefined();
      expect(annotation.error).toMatch(/spent its whole output budget without an answer.*Raise `maxOutputTokens` or lower `reasoningEffort`/);
      expect(network.server().requests.every((request) => request.images.length === 1)).toBe(true);
    });

    it('gives status error with the raw text after a failed repair', async () => {
      network.server().queue('malformed-answer', 'malformed-answer');
      const annotation = await withKey().annotate({ images: [faces[0]!], taxonomy: basic7 });
      expect(annotation.status).toBe('error');
      expect(annotation.error).toMatch(/did not match the schema.*one repair attempt/);
      expect(annotation.rawText).toContain('repair attempt');
      expect(annotation.usage?.inputTokens).toBeGreaterThan(0);
    });

    it('throws a retryable provider_error carrying Retry-After on 429', async () => {
      network.server().queue('rate-limit');
      const error = await rejection(withKey().annotate({ images: [faces[0]!], taxonomy: basic7 }));
      expect(error).toMatchObject({ code: 'provider_error', isRetryable: true, retryAfterMs: 7000 });
      expect(error.message).toMatch(/HTTP 429/);
    });

    it('throws a retryable provider_error on a server error', async () => {
      network.server().queue('server-error');
      const error = await rejection(withKey().annotate({ images: [faces[0]!], taxonomy: basic7 }));
      expect(error).toMatchObject({ code: 'provider_error', isRetryable: true });
      expect(error.message).toMatch(/HTTP 5\d\d/);
    });

    it('throws a retryable provider_error for a body that is not JSON', async () => {
      network.server().queue('malformed-body');
      const error = await rejection(withKey().annotate({ images: [faces[0]!], taxonomy: basic7 }));
      expect(error).toMatchObject({ code: 'provider_error', isRetryable: true });
    });

    it('gives up a slow answer when the resilience middleware times it out (its signal aborts)', async () => {
      network.server().queue('slow');
      const annotation = await createResilientAnnotator(withKey(), { timeoutMs: 300, retry: { maxAttempts: 1 } }).annotate({ images: [faces[0]!], taxonomy: basic7 });
      expect(annotation).toMatchObject({ status: 'error', attempts: 1 });
      expect(annotation.error).toMatch(/did not answer within 300 ms/);
    });

    it('fails a missing key before any request, naming the variable', async () => {
      const annotator = subject.create({ env: {}, apiKeyEnv: 'EMOLABEL_TEST_UNSET_KEY' });
      expect(() => annotator.checkReady?.()).toThrow(/EMOLABEL_TEST_UNSET_KEY/);
      const error = await rejection(annotator.annotate({ images: [faces[0]!], taxonomy: basic7 }));
      expect(error.code).toBe('missing_api_key');
      expect(network.server().requests).toHaveLength(0);
    });

    it('a wrong key fails in a way that stops the run as a rejected key (Gemini says so with HTTP 400)', async () => {
      const wrongKey = subject.create({ env: { [network.keyVariable]: `${network.key}-wrong` } });
      const error = await rejection(wrongKey.annotate({ images: [faces[0]!], taxonomy: basic7 }));
      expect(classifyFailure(error)).toMatchObject({ kind: 'fatal', fatalReason: 'rejected_api_key' });
      expect(error.message).toContain(network.keyVariable);
    });

    it('never lets the key into results, errors or their causes', async () => {
      const key = network.key;
      const seen: string[] = [];
      const annotator = withKey();
      for (const mode of ['ok', 'refusal', 'malformed-answer', 'rate-limit', 'server-error'] as const) {
        network.server().queue(mode);
        await annotator.annotate({ images: [faces[0]!], taxonomy: basic7 }).then(
          (annotation) => seen.push(JSON.stringify(annotation)),
          (error: unknown) => seen.push(String(error), inspect(error, { depth: 8 })),
        );
      }
      const wrongKey = subject.create({ env: { [network.keyVariable]: `${key}-wrong` } });
      await wrongKey.annotate({ images: [faces[0]!], taxonomy: basic7 }).then(
        (annotation) => seen.push(JSON.stringify(annotation)),
        (error: unknown) => seen.push(String(error), inspect(error, { depth: 8 })),
      );
      expect(network.server().requests.some((request) => JSON.stringify(request.headers).includes(key))).toBe(true);
      for (const text of seen) expect(text).not.toContain(key);
    });
  });
}
