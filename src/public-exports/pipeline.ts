// `emolabel/pipeline`: the stages `annotate()` runs, for building a pipeline of your own: input
// discovery, frame sampling and decoding, face detection, the bundled local model, label
// normalisation and result formatting.
export type { FrameRecord } from '../pipeline/clip-result.js';
export { CLIP_STATUSES, isFailure } from '../pipeline/clip-result.js';
export { annotatorId } from '../annotators/annotator.js';
export type { ResolvedModelId } from '../annotators/annotator-registry.js';
export { createFaceApiExpressionAnnotator, classifyBasicExpression } from '../annotators/local/face-api-expression-annotator.js';

export { BASIC_LABELS, normaliseBasicLabel, type BasicLabel } from '../taxonomy/basic-labels.js';
export { BUILT_IN_TAXONOMIES, normaliseLabel, collapseBasicDistribution, topLabel } from '../taxonomy/taxonomy.js';
export { parseTaxonomy, type TaxonomyFile } from '../taxonomy/load-taxonomy.js';

export type { FaceBox } from '../faces/face-box.js';
export type { FaceDetector } from '../faces/face-detector.js';
export { findFaces, type FaceMode, type FaceTrack, type FindFacesOptions } from '../faces/find-faces.js';
export { createTinyFaceDetector, type TinyFaceDetectorOptions } from '../faces/tiny-face-detector.js';

export type { Frame, MediaItem, MediaKind } from '../media/media-item.js';
export { discoverInputs, type DiscoverOptions, type DiscoveredInputs, type InputFailure } from '../media/discover-inputs.js';
export { loadFrames, DEFAULT_FRAME_COUNT } from '../media/load-frames.js';
export { decodeImage, encodeJpeg } from '../media/decode-image.js';
export { resolveFfmpeg, type FfmpegBinaries } from '../media/ffmpeg-binaries.js';

export { formatResults, outputFormatOf, type OutputFormat } from '../output/write-results.js';

export {
  createRequestLimit, AUTO_INITIAL_CONCURRENCY, AUTO_MAX_CONCURRENCY, type RequestLimit, type RequestLimitOptions, type RequestLimitReport, type ProviderOutcome,
} from '../pipeline/request-limit.js';
export { requestLimitMiddleware, providerSignalsMiddleware, providerOutcomeOf } from '../pipeline/request-limit-middleware.js';
export type { LimitedBy } from '../pipeline/rate-attribution.js';
