import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { LabelStudioPredictor } from './label-studio-predictor.js';
import { describeError, EmolabelError } from '../errors.js';

/** Options of {@link createMlBackendApp}. */
export interface MlBackendAppOptions {
  /** Basic auth Label Studio must send (the Model settings' user and password); unset: none asked. */
  readonly basicAuth?: { readonly user: string; readonly password: string };
}

/** Largest request body read (16 MiB): a batch of tasks with the project's config. */
export const MAX_BACKEND_BODY_BYTES = 16 * 1024 * 1024;

const task = z.looseObject({ id: z.union([z.number(), z.string()]).optional(), data: z.record(z.string(), z.unknown()) });
const predictBody = z.looseObject({ tasks: z.array(task), label_config: z.string().min(1), project: z.unknown().optional(), model_version: z.unknown().optional() });
const setupBody = z.looseObject({ schema: z.string().min(1), project: z.unknown().optional() });
/** The events Label Studio sends to `/webhook` that the Python ML backend treats as training events. */
const TRAIN_EVENTS = new Set(['ANNOTATION_CREATED', 'ANNOTATION_UPDATED', 'ANNOTATION_DELETED', 'START_TRAINING']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authorised(header: string | undefined, auth: NonNullable<MlBackendAppOptions['basicAuth']>): boolean {
  const encoded = /^Basic\s+(.+)$/i.exec(header ?? '')?.[1];
  if (encoded === undefined) return false;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && sameSecret(decoded.slice(0, colon), auth.user) && sameSecret(decoded.slice(colon + 1), auth.password);
}

/** What a request body failed on, in the words of its first issue. */
function bodyProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return `\`${issue?.path.join('.') || 'body'}\`: ${issue?.message ?? 'invalid'}`;
}

/**
 * Label Studio's ML backend protocol, as `label-studio-ml-backend` serves it: `GET /health` and
 * `GET /` (`{status: 'UP'}`), `POST /setup` (checks the project's config, answers the model
 * version), `POST /predict` (`{results: [prediction per task]}`), `POST /webhook` (acknowledged;
 * emolabel does not train) and, when `basicAuth` is set, HTTP basic auth on every route. A config
 * emolabel cannot serve is a 400 whose `detail` says why.
 */
export function createMlBackendApp(predictor: LabelStudioPredictor, options: MlBackendAppOptions = {}): Hono {
  const app = new Hono();
  app.use('*', async (context, next) => {
    if (options.basicAuth && !authorised(context.req.header('authorization'), options.basicAuth)) {
      return context.text('Unauthorized', 401, { 'www-authenticate': 'Basic realm="Login required"' });
    }
    await next();
  });
  app.use('*', bodyLimit({ maxSize: MAX_BACKEND_BODY_BYTES, onError: (context) => context.json({ status: 413, detail: 'request body too large' }, 413) }));
  const health = () => ({ status: 'UP', model_class: 'emolabel', model_version: predictor.modelVersion });
  app.get('/', (context) => context.json(health()));
  app.get('/health', (context) => context.json(health()));
  app.get('/metrics', (context) => context.json({}));

  app.post('/setup', async (context) => {
    const body = setupBody.safeParse(await context.req.json().catch(() => undefined));
    if (!body.success) return context.json({ status: 400, detail: `POST /setup expects {schema, project}: ${bodyProblem(body.error)}` }, 400);
    try {
      predictor.plan(body.data.schema);
    } catch (error) {
      return context.json({ status: 400, detail: describeError(error) }, 400);
    }
    return context.json({ model_version: predictor.modelVersion });
  });

  app.post('/predict', async (context) => {
    const body = predictBody.safeParse(await context.req.json().catch(() => undefined));
    if (!body.success) return context.json({ status: 400, detail: `POST /predict expects {tasks, label_config}: ${bodyProblem(body.error)}` }, 400);
    try {
      const results = await predictor.predict(body.data.tasks, body.data.label_config);
      return context.json({ results, model_version: predictor.modelVersion });
    } catch (error) {
      const status = error instanceof EmolabelError && error.code === 'invalid_option' ? 400 : 500;
      return context.json({ status, detail: describeError(error) }, status);
    }
  });

  app.post('/webhook', async (context) => {
    const body = (await context.req.json().catch(() => ({}))) as { action?: unknown };
    if (typeof body.action !== 'string' || !TRAIN_EVENTS.has(body.action)) return context.json({ status: 'Unknown event' }, 200);
    return context.json({ status: 'ok', result: { trained: false, reason: 'emolabel predicts with its annotators and does not train on annotations' } }, 201);
  });
  return app;
}
