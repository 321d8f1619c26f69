import type { ProviderEntry } from '../annotator-factory.js';
import { anthropicProvider, createAnthropicAnnotator } from './anthropic-annotator.js';
import { createGoogleAnnotator, googleProvider } from './google-annotator.js';
import type { LlmProviderDefinition } from './llm-annotator.js';
import { createOpenAiAnnotator, createOpenAiCompatibleAnnotator, openAiCompatibleProvider, openAiProvider } from './openai-annotator.js';

/** Each LLM provider's definition (key variables, default detail …), by provider name. */
export const LLM_PROVIDER_DEFINITIONS: Readonly<Record<string, LlmProviderDefinition>> = {
  openai: openAiProvider,
  anthropic: anthropicProvider,
  google: googleProvider,
  'openai-compatible': openAiCompatibleProvider,
};

/** The LLM providers of the registry, by the name before the colon of a model id. */
export const LLM_PROVIDERS: ReadonlyArray<readonly [string, ProviderEntry]> = [
  ['openai', { factory: createOpenAiAnnotator, defaultModel: 'gpt-4o-mini', description: 'OpenAI Chat Completions (OPENAI_API_KEY)' }],
  ['anthropic', { factory: createAnthropicAnnotator, defaultModel: 'claude-haiku-4-5', description: 'Anthropic Messages API (ANTHROPIC_API_KEY)' }],
  ['google', { factory: createGoogleAnnotator, defaultModel: 'gemini-2.5-flash', description: 'Google Gemini API (GEMINI_API_KEY or GOOGLE_API_KEY)' }],
  [
    'openai-compatible',
    { factory: createOpenAiCompatibleAnnotator, description: 'any OpenAI-compatible server with --base-url: Ollama, vLLM, LM Studio, OpenRouter' },
  ],
];
