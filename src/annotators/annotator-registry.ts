import type { Annotator } from './annotator.js';
import type { AnnotatorSettings, ProviderEntry } from './annotator-factory.js';
import { LLM_PROVIDERS } from './llm/llm-providers.js';
import { createFaceApiExpressionAnnotator } from './local/face-api-expression-annotator.js';
import { EmolabelError } from '../errors.js';

const providers = new Map<string, ProviderEntry>([
  ['local', {
    factory: (modelId) => {
      if (modelId !== 'face-api') throw new EmolabelError('unknown_model', `Unknown local model "local:${modelId}"; the bundled model is local (local:face-api).`);
      return createFaceApiExpressionAnnotator();
    },
    defaultModel: 'face-api',
    description: 'bundled face-api expression net, offline',
  }],
  ...LLM_PROVIDERS,
]);

/** Adds or replaces a provider, so libraries can plug in their own annotators. */
export function registerProvider(name: string, entry: ProviderEntry): void {
  providers.set(name, entry);
}

/** Provider names known to the registry. */
export function listProviders(): Array<{ name: string } & ProviderEntry> {
  return [...providers.entries()].map(([name, entry]) => ({ name, ...entry }));
}

/**
 * Resolves a `provider:model` id (or a bare provider with a default model) to an annotator.
 * @example createAnnotator('local') // the bundled model
 * @example createAnnotator('openai-compatible:llava', { baseUrl: 'http://127.0.0.1:11434/v1' })
 */
export function createAnnotator(id: string, settings: AnnotatorSettings = {}): Annotator {
  const separator = id.indexOf(':');
  const providerName = separator < 0 ? id : id.slice(0, separator);
  const entry = providers.get(providerName);
  if (entry === undefined) {
    throw new EmolabelError(
      'unknown_model',
      `Unknown model "${id}". Use provider:model with a provider of [${[...providers.keys()].join(', ')}], e.g. local or openai:gpt-4o-mini.`,
    );
  }
  const modelId = separator < 0 ? entry.defaultModel : id.slice(separator + 1);
  if (!modelId) {
    throw new EmolabelError('unknown_model', `Model id "${id}" names no model; write ${providerName}:<model>.`);
  }
  return entry.factory(modelId, settings);
}
