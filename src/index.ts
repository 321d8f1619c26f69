// The public API of emolabel. Everything not listed here is internal.
export { annotate, summarise, type AnnotateOptions, type AnnotateOutput, type AnnotateSummary } from './pipeline/annotate.js';
export type { ClipResult, ClipStatus, FrameRecord } from './pipeline/clip-result.js';
export { CLIP_STATUSES, isFailure } from './pipeline/clip-result.js';

export type { Annotation, AnnotationRequest, AnnotationStatus, Annotator, Usage } from './annotators/annotator.js';
export { annotatorId } from './annotators/annotator.js';
export {
  createAnnotator, createAnnotatorRegistry, defaultRegistry, listProviders, registerProvider,
  type AnnotatorProvider, type AnnotatorRegistry, type AnnotatorSettings, type ResolvedModelId,
} from './annotators/annotator-registry.js';
export { createFaceApiExpressionAnnotator, classifyBasicExpression } from './annotators/local/face-api-expression-annotator.js';

export type { ClipAnnotation, Strategy, StrategyInput } from './strategies/strategy.js';
export { getStrategy, listStrategies, registerStrategy } from './strategies/strategy-registry.js';

export { BASIC_LABELS, normaliseBasicLabel, type BasicLabel } from './taxonomy/basic-labels.js';
export {
  basic7, ternary, BUILT_IN_TAXONOMIES, normaliseLabel, collapseBasicDistribution, topLabel,
  type Distribution, type Taxonomy,
} from './taxonomy/taxonomy.js';
export { parseTaxonomy, resolveTaxonomy, type TaxonomyFile } from './taxonomy/load-taxonomy.js';

export type { FaceBox } from './faces/face-box.js';
export type { FaceDetector } from './faces/face-detector.js';
export { findFaces, type FaceCrop, type FaceMode, type FaceTrack, type FindFacesOptions } from './faces/find-faces.js';
export { createTinyFaceDetector, type TinyFaceDetectorOptions } from './faces/tiny-face-detector.js';

export type { Frame, MediaItem, MediaKind } from './media/media-item.js';
export type { RgbImage } from './media/rgb-image.js';
export { discoverInputs, type DiscoverOptions, type DiscoveredInputs, type InputFailure } from './media/discover-inputs.js';
export { loadFrames, DEFAULT_FRAME_COUNT } from './media/load-frames.js';
export { decodeImage, encodeJpeg } from './media/decode-image.js';
export { resolveFfmpeg, type FfmpegBinaries } from './media/ffmpeg-binaries.js';

export { formatResults, outputFormatOf, writeResults, type OutputFormat } from './output/write-results.js';
export { EmolabelError, type EmolabelErrorCode } from './errors.js';
export { runCli } from './cli/main.js';
export * from './public-exports/eval.js';
export * from './public-exports/resilience.js';
export * from './public-exports/llm.js';
export * from './public-exports/matrix.js';
export * from './public-exports/review.js';
export * from './public-exports/runs.js';
