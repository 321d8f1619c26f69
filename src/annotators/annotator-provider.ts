import type { z } from 'zod';
import type { Annotator } from './annotator.js';

/**
 * Settings as callers pass them to a provider: a plain object, checked by the provider's own
 * strict schema (an unknown key fails, naming it). Undefined values mean "not given".
 */
export type AnnotatorSettings = Readonly<Record<string, unknown>>;

/**
 * An extension point for annotators (version `v1`), as vercel/ai's providers: a name, a default
 * model, a strict settings schema and a factory. The factory never fails for a missing key; the
 * annotator's `checkReady` or first request does, naming the variable to set.
 * @example
 * registry.register({
 *   specificationVersion: 'v1', name: 'acme', description: 'Acme Vision API', defaultModel: 'v2',
 *   settingsSchema: z.strictObject({ region: z.string().optional() }),
 *   annotator: (modelId, settings) => createAcmeAnnotator(modelId, settings),
 * });
 */
export interface AnnotatorProvider<Settings = unknown> {
  readonly specificationVersion: 'v1';
  /** The part of a model id before the colon: `openai` in `openai:gpt-4o-mini`. */
  readonly name: string;
  /** One line for listings. */
  readonly description: string;
  /** Model used when an id names only the provider (`local` → `local:face-api`). */
  readonly defaultModel?: string;
  /** Strict: an unknown key must fail. */
  readonly settingsSchema: z.ZodType<Settings>;
  annotator(modelId: string, settings: Settings): Annotator;
}
