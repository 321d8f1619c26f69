// The package entry, `emolabel`: what a library user needs to label media, one export per line.
// It loads no CLI, web server or chart code. The rest of the API is at subpaths (package.json
// `exports`): emolabel/eval, /llm, /runs, /pipeline, /review, /matrix, /cli and /test.
// test/public-api.test.ts keeps it small, test/library-imports.test.ts keeps it light.

// Labelling media.
/** Labels images, videos and frame folders: items → frames → faces → strategy → one result per clip (or per person). */
export { annotate } from './pipeline/annotate.js';
/** Counts results by status, with their tokens and dollars. */
export { summarise } from './pipeline/annotate.js';
/** Every option of `emolabel annotate`, typed, with defaults: model, strategy, frames, faces, taxonomy, concurrency … */
export type { AnnotateOptions } from './pipeline/annotate.js';
/** What `annotate` returns: one result per item, in input order, and their summary. */
export type { AnnotateOutput } from './pipeline/annotate.js';
/** Items by status, with their tokens and dollars. */
export type { AnnotateSummary } from './pipeline/annotate.js';
/** One labelled clip (or one person in it): label, confidence, distribution, frames, usage, cost, status. */
export type { ClipResult } from './pipeline/clip-result.js';
/** `ok`, `no_face`, `refused` or `error`. */
export type { ClipStatus } from './pipeline/clip-result.js';
/** Writes results as CSV, JSONL or JSON, by the extension of the path. */
export { writeResults } from './output/write-results.js';

// Stored runs: resumable, cached, budgeted, and their dry run.
/** Runs a RunSpec (or resumes a stored run) as a stored, resumable run: results saved as they finish, response cache, budget, rate limits. */
export { runAnnotation } from './runs/run-annotation.js';
/** What a run is (strict zod schema): inputs, model, settings, strategy, taxonomy, extraction; stored and fingerprinted. */
export type { RunSpec } from './runs/run-spec.js';
/** The RunSpec of some inputs and `annotate`-style options (paths made absolute, keys never kept). */
export { runSpecOf } from './runs/run-spec.js';
/** How a session runs a spec (concurrency, workers, budget, resilience, cache, middleware, signals); never stored. */
export type { SessionOptions } from './runs/run-spec.js';
/** SessionOptions plus the store and a start callback: the second argument of `runAnnotation`. */
export type { RunSession } from './runs/run-annotation.js';
/** How a stored run ended: the run, every result, the summary, requests sent and cached, why it stopped. */
export type { RunOutcome } from './runs/run-annotation.js';
/** The SQLite store of runs, their items and results (`RunStore.open(path)`). */
export { RunStore } from './store/run-store.js';
/** The dry run: the requests, tokens and dollars a run would take, through the real pipeline, sending nothing. */
export { estimateRun } from './runs/estimate-run.js';
/** `annotate`'s options plus progress per item, for the dry run. */
export type { EstimateRunOptions } from './runs/estimate-run.js';
/** The dry run's answer: per item and in total, with the cost per 1,000 items. */
export type { RunCostEstimate } from './runs/estimate-run.js';

// The annotator contract (v1): for using annotators and writing your own.
/** The contract every annotator meets: `annotate(request)`, capabilities, settings identity, optional `estimate`. */
export type { Annotator } from './annotators/annotator.js';
/** What an annotator can do: images per request, image layouts, billing, how a worker thread rebuilds it. */
export type { AnnotatorCapabilities } from './annotators/annotator.js';
/** One request: a clip's images in order, the taxonomy to answer in, the abort signal, the layout. */
export type { AnnotationRequest } from './annotators/annotator.js';
/** An annotator's answer: status, label, confidence, distribution, usage, cost, raw text, warnings. */
export type { Annotation } from './annotators/annotator.js';
/** `ok`, `refused` (the model declined) or `error`. */
export type { AnnotationStatus } from './annotators/annotator.js';
/** Input and output tokens of a request, as the provider reported them. */
export type { Usage } from './annotators/annotator.js';
/** Tokens and dollars of a request before it is sent (budget, dry run). */
export type { RequestEstimate } from './annotators/annotator.js';
/** A value that survives JSON: what settings identities and worker settings are made of. */
export type { JsonValue } from './annotators/annotator.js';
/** How a request's images relate: separate frames in order, or one numbered grid of tiled frames. */
export type { ImageLayout } from './annotators/annotator.js';
/** Decoded pixels: 8-bit RGB, row-major, 3 bytes a pixel. */
export type { RgbImage } from './media/rgb-image.js';

// The annotator registry: `provider:model` ids.
/** Creates an annotator from an id (`local`, `openai:gpt-4o-mini`, `ollama:llava` …); an unknown id fails listing what exists. */
export { createAnnotator } from './annotators/annotator-registry.js';
/** A registry of your own, from a list of providers. */
export { createAnnotatorRegistry } from './annotators/annotator-registry.js';
/** The registry `createAnnotator` and the CLI use: the local model and the LLM providers. */
export { defaultRegistry } from './annotators/annotator-registry.js';
/** Adds (or replaces) a provider in the default registry. */
export { registerProvider } from './annotators/annotator-registry.js';
/** The providers of the default registry. */
export { listProviders } from './annotators/annotator-registry.js';
/** An annotator provider: a name, a default model, a strict settings schema and a factory. */
export type { AnnotatorProvider } from './annotators/annotator-registry.js';
/** Settings as callers pass them to a provider, checked by its schema. */
export type { AnnotatorSettings } from './annotators/annotator-registry.js';
/** Resolves `provider:model` ids to annotators. */
export type { AnnotatorRegistry } from './annotators/annotator-registry.js';

// Middleware around an annotator.
/** An annotator with middleware around it, the first outermost. */
export { wrapAnnotator } from './annotators/annotator-middleware.js';
/** Behaviour added around an annotator's requests (v1): `wrapAnnotate({ request, next, annotator })`. */
export type { AnnotatorMiddleware } from './annotators/annotator-middleware.js';
/** Rate limits (rpm, tpm), timeouts, retries with backoff and Retry-After, and fatal errors that stop a run. */
export { resilienceMiddleware } from './runs/resilience/resilient-annotator.js';
/** Options of `resilienceMiddleware`: rpm, tpm, timeout, retries, callbacks. */
export type { ResilientAnnotatorOptions } from './runs/resilience/resilient-annotator.js';
/** Sends no request that could take the run past `maxCostUsd`; throws `BudgetExceededError` instead. */
export { budgetMiddleware } from './runs/budget-middleware.js';
/** Options of `budgetMiddleware`: the budget, what earlier sessions spent, the estimate to use. */
export type { BudgetOptions } from './runs/budget-middleware.js';
/** Sends nothing: answers each request with a placeholder and records its estimated cost. */
export { dryRunMiddleware } from './runs/dry-run-middleware.js';

// Strategies: how a clip's frames become requests, and requests one label.
/** The strategy contract (v1): `annotateClip({ crops, annotator, taxonomy, signal })`. */
export type { Strategy } from './strategies/strategy.js';
/** What a strategy labels: the crops of one face track (or whole frames), the annotator, the taxonomy. */
export type { StrategyInput } from './strategies/strategy.js';
/** A strategy's verdict for a clip: status, label, per-frame labels, every request's annotation, usage, cost. */
export type { ClipAnnotation } from './strategies/strategy.js';
/** A face crop (or whole frame) of one sampled frame. */
export type { FaceCrop } from './faces/find-faces.js';
/** Looks a strategy up by name (`frame`, `mean`, `multi`, `grid` or one registered); an unknown name fails listing them. */
export { getStrategy } from './strategies/strategy-registry.js';
/** Adds or replaces a strategy. */
export { registerStrategy } from './strategies/strategy-registry.js';
/** The registered strategies. */
export { listStrategies } from './strategies/strategy-registry.js';

// Taxonomies: the labels to answer in.
/** The seven basic emotions: Angry, Disgust, Fear, Happy, Neutral, Sad, Surprise. */
export { basic7 } from './taxonomy/taxonomy.js';
/** negative, neutral, positive. */
export { ternary } from './taxonomy/taxonomy.js';
/** A built-in taxonomy by name, or a JSON taxonomy file by path. */
export { resolveTaxonomy } from './taxonomy/load-taxonomy.js';
/** A set of labels with a description each and a mapping from the basic emotions. */
export type { Taxonomy } from './taxonomy/taxonomy.js';
/** A probability per label of a taxonomy. */
export type { Distribution } from './taxonomy/taxonomy.js';

// Errors.
/** The base of every error emolabel throws: `code`, `isRetryable`, `retryAfterMs`, `httpStatus`, `cause`. */
export { EmolabelError } from './errors.js';
/** The codes an `EmolabelError` carries, to branch on. */
export type { EmolabelErrorCode } from './errors.js';
/** A request that took longer than its timeout (retryable). */
export { TimeoutError } from './errors.js';
/** The next request would take the run past its budget: the run stops, resumable with a higher one. */
export { BudgetExceededError } from './errors.js';
/** A provider failure no retry can heal (rejected key, unknown model, no quota): the run stops. */
export { FatalRunError } from './runs/resilience/fatal-run-error.js';
