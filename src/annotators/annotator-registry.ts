import { z } from 'zod';
import type { Annotator } from './annotator.js';
import type { AnnotatorProvider, AnnotatorSettings } from './annotator-provider.js';
import { LLM_PROVIDERS } from './llm/llm-providers.js';
import { createFaceApiExpressionAnnotator } from './local/face-api-expression-annotator.js';
import { parseSettings } from './parse-settings.js';
import { EmolabelError } from '../errors.js';
import { environmentSetting } from './environment-setting.js';

export type { AnnotatorProvider, AnnotatorSettings } from './annotator-provider.js';

/** A model id taken apart, with the provider's default model applied. */
export interface ResolvedModelId {
  readonly provider: AnnotatorProvider<unknown>;
  readonly modelId: string;
  /** `provider:model`, canonical (`openai` → `openai:gpt-4o-mini`). */
  readonly id: string;
}

/** Providers by name, resolving `provider:model` ids to annotators (vercel/ai's provider registry). */
export interface AnnotatorRegistry {
  /** Adds or replaces a provider. */
  register<Settings>(provider: AnnotatorProvider<Settings>): void;
  list(): ReadonlyArray<AnnotatorProvider<unknown>>;
  /** The one parser of model ids; an unknown provider fails listing the known ones. */
  resolve(id: string): ResolvedModelId;
  /**
   * The annotator for `id`, its settings checked by the provider's schema.
   * @example registry.createAnnotator('openai-compatible:llava', { baseUrl: 'http://127.0.0.1:11434/v1' })
   */
  createAnnotator(id: string, settings?: AnnotatorSettings): Annotator;
}

/** Settings with "not given" values (undefined, null, empty strings: unset CLI flags) left out. */
function givenSettings(settings: AnnotatorSettings | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings ?? {}).filter(([, value]) => value !== undefined && value !== null && value !== ''));
}

/** A registry holding `providers` (none by default); see {@link defaultRegistry} for the built-in ones. */
export function createAnnotatorRegistry(providers: ReadonlyArray<AnnotatorProvider<any>> = []): AnnotatorRegistry {
  const byName = new Map<string, AnnotatorProvider<unknown>>(providers.map((provider) => [provider.name, provider]));
  const resolve = (id: string): ResolvedModelId => {
    const separator = id.indexOf(':');
    const name = separator < 0 ? id : id.slice(0, separator);
    const provider = byName.get(name);
    if (provider === undefined) {
      throw new EmolabelError('unknown_model', `Unknown model "${id}". Use provider:model with a provider of [${[...byName.keys()].join(', ')}], e.g. local or openai:gpt-4o-mini.`);
    }
    const modelId = separator < 0 ? provider.defaultModel : id.slice(separator + 1);
    if (!modelId) throw new EmolabelError('unknown_model', `Model id "${id}" names no model; write ${name}:<model>.`);
    return { provider, modelId, id: `${name}:${modelId}` };
  };
  return {
    register: (provider) => void byName.set(provider.name, provider as AnnotatorProvider<unknown>),
    list: () => [...byName.values()],
    resolve,
    createAnnotator(id, settings) {
      const { provider, modelId, id: canonical } = resolve(id);
      return provider.annotator(modelId, parseSettings(provider.settingsSchema, givenSettings(settings), { owner: canonical }));
    },
  };
}

/** `local`: the bundled face-api expression net, offline. It reads no settings (`env` is accepted and unused). */
const localProvider: AnnotatorProvider<{ env?: Record<string, string | undefined> }> = {
  specificationVersion: 'v1',
  name: 'local',
  description: 'bundled face-api expression net, offline',
  defaultModel: 'face-api',
  settingsSchema: z.strictObject({ env: environmentSetting }),
  annotator(modelId) {
    if (modelId !== 'face-api') throw new EmolabelError('unknown_model', `Unknown local model "local:${modelId}"; the bundled model is local (local:face-api).`);
    return createFaceApiExpressionAnnotator();
  },
};

/**
 * The registry the CLI and the library functions use: `local` and the LLM providers. Their SDKs
 * load on an annotator's first request, so importing emolabel or labelling with the local model
 * loads none of them.
 */
export const defaultRegistry: AnnotatorRegistry = createAnnotatorRegistry([localProvider, ...LLM_PROVIDERS]);

/** Adds or replaces a provider of the default registry, so libraries can plug in their own annotators. */
export function registerProvider<Settings>(provider: AnnotatorProvider<Settings>): void {
  defaultRegistry.register(provider);
}

/** The providers of the default registry. */
export function listProviders(): ReadonlyArray<AnnotatorProvider<unknown>> {
  return defaultRegistry.list();
}

/**
 * Resolves a `provider:model` id (or a bare provider with a default model) of the default registry to an annotator.
 * @example createAnnotator('local') // the bundled model
 * @example createAnnotator('openai-compatible:llava', { baseUrl: 'http://127.0.0.1:11434/v1' })
 */
export function createAnnotator(id: string, settings: AnnotatorSettings = {}): Annotator {
  return defaultRegistry.createAnnotator(id, settings);
}
