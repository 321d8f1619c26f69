import type { AnnotatorProvider } from '../annotator-provider.js';
import { anthropicProvider } from './anthropic-annotator.js';
import { googleProvider } from './google-annotator.js';
import { createLlmAnnotator, type LlmProviderDefinition } from './llm-annotator.js';
import { type LlmAnnotatorSettings, llmSettingsSchema } from './llm-settings.js';
import { openAiCompatibleProvider, openAiProvider } from './openai-annotator.js';

/** An LLM provider definition as a registry provider: the shared settings schema and LLM annotator. */
export function llmAnnotatorProvider(definition: LlmProviderDefinition, entry: { description: string; defaultModel?: string }): AnnotatorProvider<LlmAnnotatorSettings> {
  return {
    specificationVersion: 'v1',
    name: definition.provider,
    ...entry,
    settingsSchema: llmSettingsSchema,
    annotator: (modelId, settings) => createLlmAnnotator(definition, modelId, settings),
  };
}

/**
 * The LLM providers of the default registry, by the name before the colon of a model id. Each
 * default is a model its provider lists as current, with a price and an image rule: gpt-4o-mini (the
 * paper's model, no shutdown announced), claude-haiku-4-5, and gemini-3.1-flash-lite (GA; Gemini 2.5
 * Flash was shut down or re-routed in 2026, and Gemini 3 Flash is only a preview).
 */
export const LLM_PROVIDERS: ReadonlyArray<AnnotatorProvider<LlmAnnotatorSettings>> = [
  llmAnnotatorProvider(openAiProvider, { defaultModel: 'gpt-4o-mini', description: 'OpenAI Chat Completions (OPENAI_API_KEY)' }),
  llmAnnotatorProvider(anthropicProvider, { defaultModel: 'claude-haiku-4-5', description: 'Anthropic Messages API (ANTHROPIC_API_KEY)' }),
  llmAnnotatorProvider(googleProvider, { defaultModel: 'gemini-3.1-flash-lite', description: 'Google Gemini API (GEMINI_API_KEY or GOOGLE_API_KEY)' }),
  llmAnnotatorProvider(openAiCompatibleProvider, { description: 'any OpenAI-compatible server with --base-url: Ollama, vLLM, LM Studio, OpenRouter' }),
];
