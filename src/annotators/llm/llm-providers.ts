import type { ProviderEntry } from '../annotator-registry.js';
import { createAnthropicAnnotator } from './anthropic-annotator.js';
import { createGoogleAnnotator } from './google-annotator.js';
import { createOpenAiAnnotator, createOpenAiCompatibleAnnotator } from './openai-annotator.js';

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
