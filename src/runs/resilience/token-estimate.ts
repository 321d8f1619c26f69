import type { AnnotationRequest } from '../../annotators/annotator.js';

/** Tokens (input + output) a request is expected to use, before it is sent. */
export type EstimateTokens = (request: AnnotationRequest) => number;

/** First guess per image, prompt and answer included, until real usage is seen. */
export const INITIAL_TOKENS_PER_IMAGE = 1_500;

// Weight of the newest observation in the running mean: recent requests matter most, one outlier little.
const LEARNING_RATE = 0.2;

/** An estimate that starts from a guess and follows the usage providers report. */
export interface LearnedTokenEstimate {
  readonly estimate: EstimateTokens;
  /** Folds in a request's reported usage (input + output tokens). */
  learn(request: AnnotationRequest, actualTokens: number): void;
}

/**
 * The default token estimate for `--tpm`: tokens per image (prompt and answer spread over the
 * images), starting at {@link INITIAL_TOKENS_PER_IMAGE} and moving toward the reported usage of
 * each answered request. The bucket settles every request against its actual usage, so an estimate
 * that is off only shifts when, not how much, the limit is spent.
 */
export function createLearnedTokenEstimate(initialTokensPerImage = INITIAL_TOKENS_PER_IMAGE): LearnedTokenEstimate {
  let tokensPerImage = initialTokensPerImage;
  let seen = false;
  const imagesOf = (request: AnnotationRequest) => Math.max(1, request.images.length);
  return {
    estimate: (request) => Math.ceil(tokensPerImage * imagesOf(request)),
    learn(request, actualTokens) {
      if (!Number.isFinite(actualTokens) || actualTokens <= 0) return;
      const observed = actualTokens / imagesOf(request);
      tokensPerImage = seen ? tokensPerImage + LEARNING_RATE * (observed - tokensPerImage) : observed;
      seen = true;
    },
  };
}
