import type { Annotation, AnnotationRequest, Annotator } from '../annotator.js';
import { loadFaceApi } from '../../faces/face-api-runtime.js';
import type { RgbImage } from '../../media/rgb-image.js';
import { BASIC_LABELS, type BasicLabel } from '../../taxonomy/basic-labels.js';
import { collapseBasicDistribution, topLabel } from '../../taxonomy/taxonomy.js';

/** face-api's expression classes, by the canonical basic label. */
const FACE_API_CLASS: Record<BasicLabel, string> = {
  Angry: 'angry', Disgust: 'disgusted', Fear: 'fearful', Happy: 'happy', Neutral: 'neutral', Sad: 'sad', Surprise: 'surprised',
};

/** Runs face-api's expression net (a 7-class CNN on 112x112 faces) on one image. */
export async function classifyBasicExpression(image: RgbImage): Promise<Record<BasicLabel, number>> {
  const { faceapi, tf } = await loadFaceApi();
  const tensor = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  try {
    const input = tensor as unknown as Parameters<typeof faceapi.nets.faceExpressionNet.predictExpressions>[0];
    const result = await faceapi.nets.faceExpressionNet.predictExpressions(input);
    const expressions = (Array.isArray(result) ? result[0] : result) as unknown as Record<string, number>;
    const distribution = {} as Record<BasicLabel, number>;
    for (const label of BASIC_LABELS) distribution[label] = expressions[FACE_API_CLASS[label]] ?? 0;
    return distribution;
  } finally {
    tensor.dispose();
  }
}

/**
 * The bundled local annotator: face-api's expression net, offline, no key. Each image is classified
 * on its own; a request with several images gets the mean of their distributions (so `multi` works
 * like `mean`). A grid of frames is not a face: grid requests end `error` with what to use instead.
 * Free, and rebuilt in worker threads from this module, so whole items can run there.
 */
export function createFaceApiExpressionAnnotator(): Annotator {
  return {
    specificationVersion: 'v1',
    provider: 'local',
    modelId: 'face-api',
    capabilities: {
      maxImagesPerRequest: 64,
      layouts: ['frames'],
      billing: 'free',
      worker: { module: import.meta.url, exportName: 'createFaceApiExpressionAnnotator', settings: {} },
    },
    settingsIdentity: {},
    async annotate(request: AnnotationRequest): Promise<Annotation> {
      if (request.layout?.kind === 'grid') {
        return { status: 'error', error: 'the local model labels single faces, not a grid of frames; use --strategy frame, mean or multi with it' };
      }
      const sums = Object.fromEntries(BASIC_LABELS.map((label) => [label, 0])) as Record<BasicLabel, number>;
      for (const image of request.images) {
        const distribution = await classifyBasicExpression(image);
        for (const label of BASIC_LABELS) sums[label] += distribution[label] / request.images.length;
      }
      const distribution = collapseBasicDistribution(sums, request.taxonomy);
      const { label, confidence } = topLabel(distribution, request.taxonomy);
      return { status: 'ok', label, confidence, distribution, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 };
    },
  };
}
