import { createHash } from 'node:crypto';
import { type AnnotationRequest, type Annotator, annotatorId } from '../annotators/annotator.js';
import type { RequestSummary } from '../store/request-log.js';

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The cache key of a request and a summary of it for the request log. The key hashes the exact
 * pixels sent (decoding and cropping are deterministic, so equal inputs give equal pixels), their
 * layout, the taxonomy with its descriptions, any hint, the model and the settings that change
 * the answer (prompt and its version, detail, image size, base URL).
 */
export function identifyRequest(
  annotator: Annotator,
  request: AnnotationRequest,
  parameters: Readonly<Record<string, unknown>>,
): { cacheKey: string; summary: RequestSummary } {
  const images = request.images.map((image) => ({ sha256: sha256(image.data), width: image.width, height: image.height }));
  const layout = request.layout?.kind === 'grid'
    ? { kind: 'grid', columns: request.layout.columns, rows: request.layout.rows, frameCount: request.layout.frameCount }
    : { kind: 'frames' };
  const model = annotatorId(annotator);
  const summary: RequestSummary = { model, images, taxonomy: request.taxonomy.name, parameters };
  const keyMaterial = JSON.stringify({
    model, parameters, images, layout, hint: request.hint ?? null,
    // A whole frame and a face crop with the same pixels are asked differently (face crops keep their old keys).
    ...(request.imageContent === undefined ? {} : { imageContent: request.imageContent }),
    taxonomy: { labels: request.taxonomy.labels, descriptions: request.taxonomy.descriptions },
  });
  return { cacheKey: sha256(keyMaterial), summary };
}
