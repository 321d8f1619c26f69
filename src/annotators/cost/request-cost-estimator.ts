import type { AnnotationRequest } from '../annotator.js';
import type { AnnotatorSettings } from '../annotator-factory.js';
import { estimateRequestCost } from './estimate-request-cost.js';
import { findModelPrice, loadPriceTable } from './price-table.js';
import { LLM_PROVIDER_DEFINITIONS } from '../llm/llm-providers.js';
import { resolveLlmSettings } from '../llm/llm-settings.js';
import { loadPrompt } from '../llm/prompt-file.js';

/**
 * A price-table estimate of one request's dollars before it is sent, for budget guards: the images'
 * tokens by the model's rule at the size they will be sent, the prompt's text and typical answer.
 * Undefined for annotators that are not LLM providers or models without a price.
 * @example runAnnotation(inputs, { ...options, maxCostUsd: 5, estimateCostUsd: createRequestCostEstimator('openai:gpt-4o-mini', settings) })
 */
export function createRequestCostEstimator(id: string, annotatorSettings: AnnotatorSettings = {}): ((request: AnnotationRequest) => number | undefined) | undefined {
  const separator = id.indexOf(':');
  const definition = LLM_PROVIDER_DEFINITIONS[separator < 0 ? id : id.slice(0, separator)];
  if (definition === undefined) return undefined;
  const settings = resolveLlmSettings(annotatorSettings);
  const modelId = separator < 0 ? undefined : id.slice(separator + 1);
  const price = modelId === undefined ? undefined : findModelPrice(loadPriceTable(settings.priceTable ?? settings.env.EMOLABEL_PRICE_TABLE), id);
  if (price === undefined) return undefined;
  const prompt = loadPrompt(settings.prompt);
  const detail = settings.detail ?? definition.defaultDetail ?? 'auto';
  return (request) =>
    estimateRequestCost({ price, prompt, taxonomy: request.taxonomy, images: request.images, layout: request.layout, imageSize: settings.imageSize, detail }).costUsd;
}
