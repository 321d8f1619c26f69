import type { Annotator } from './annotator.js';

/** Settings every factory may read; providers take what applies to them. */
export interface AnnotatorSettings {
  /** Base URL of an OpenAI-compatible (or any provider's) endpoint. */
  readonly baseUrl?: string;
  /** Name of the environment variable holding the API key, instead of the provider's usual one. */
  readonly apiKeyEnv?: string;
  /** Extra provider options (prompt mode, detail, timeout …), passed through as given. */
  readonly [option: string]: unknown;
}

/** Builds an annotator for a model id of its provider. Secrets load when a request is made, not here. */
export type AnnotatorFactory = (modelId: string, settings: AnnotatorSettings) => Annotator;

export interface ProviderEntry {
  readonly factory: AnnotatorFactory;
  /** Model used when the id names only the provider (`local` → `local:face-api`). */
  readonly defaultModel?: string;
  readonly description: string;
}
