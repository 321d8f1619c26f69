// `emolabel/llm`: the LLM annotators and their provider definitions, the structured-output schema,
// prompts, the price table and image token rules, and the multi-frame and grid strategies.
export { ABSTAIN_REASONS, type AbstainReason, type ActionUnitObservation, type FrameLabel } from '../annotators/annotator.js';

export { createOpenAiAnnotator, createOpenAiCompatibleAnnotator, openAiCompatibleProvider, openAiProvider } from '../annotators/llm/openai-annotator.js';
export { anthropicProvider, createAnthropicAnnotator } from '../annotators/llm/anthropic-annotator.js';
export { createGoogleAnnotator, googleProvider } from '../annotators/llm/google-annotator.js';
export { createLlmAnnotator, type LlmProviderDefinition, type TransportContext } from '../annotators/llm/llm-annotator.js';
export type { LlmImage, LlmPart, LlmReply, LlmRequest, LlmTransport } from '../annotators/llm/llm-request.js';
export { type LlmAnnotatorSettings } from '../annotators/llm/llm-settings.js';
export {
  annotationJsonSchema, createAnnotationSchema, type AnnotationFields, type AnnotationSchema, type AnnotationSchemaOptions,
} from '../annotators/llm/annotation-schema.js';
export { promptSchema, renderPrompt, type RenderedPrompt, type SchemaShape } from '../annotators/llm/prompt-request.js';
export { describeHint } from '../annotators/llm/local-hint.js';
export {
  loadLocalModelReliability, type ClassReliability, type LocalModelReliability, type TaxonomyReliability,
} from '../annotators/llm/local-model-reliability.js';
export { loadPrompt, PROMPT_MODES, promptsDirectory, type PromptFile, type PromptMode } from '../annotators/llm/prompt-file.js';
export { httpFailureError, connectionError, parseRetryAfter, type HttpFailure } from '../annotators/llm/provider-error.js';

export {
  bundledPriceTable, costOfUsage, findModelPrice, hasTokenPrices, loadPriceTable,
  type CostOptions, type FindModelPriceOptions, type ImageTokenRule, type ModelPrice, type PriceSource, type PriceTable, type PriceTableEntry, type TokenPrices, type TokenPriceTier,
} from '../annotators/cost/price-table.js';
export { GENAI_PRICES_RELEASE } from '../annotators/cost/genai-prices-lookup.js';
export { listModelPrices, type ListModelPricesOptions, type ModelPriceListing } from '../annotators/cost/list-model-prices.js';
export { describeImageRule } from '../annotators/cost/describe-image-rule.js';
export { imageTokens, type ImageDetail } from '../annotators/cost/image-tokens.js';
export { estimateRequestCost, type ImageSize, type RequestCostEstimate, type RequestCostInput } from '../annotators/cost/estimate-request-cost.js';

export { multiFrameStrategy } from '../strategies/multi-frame-strategy.js';
export { gridStrategy } from '../strategies/grid-strategy.js';
export { tileFramesGrid } from '../strategies/tile-frames-grid.js';
export { gridCellSize, gridLayout, type GridLayout } from '../annotators/llm/grid-layout.js';
