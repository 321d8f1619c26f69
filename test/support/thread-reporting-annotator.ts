import { threadId } from 'node:worker_threads';
import type { Annotation, Annotator } from '../../src/annotators/annotator.js';

/**
 * A free annotator of a user's own that says how a worker thread rebuilds it (this module and
 * export): it labels everything Neutral and reports the thread it ran on as its rationale.
 */
export function createThreadReportingAnnotator(settings: { label?: string } = {}): Annotator {
  return {
    specificationVersion: 'v1',
    provider: 'threads',
    modelId: 'v1',
    capabilities: { maxImagesPerRequest: 8, layouts: ['frames'], billing: 'free', worker: { module: import.meta.url, exportName: 'createThreadReportingAnnotator', settings } },
    settingsIdentity: {},
    async annotate(request): Promise<Annotation> {
      const label = settings.label ?? request.taxonomy.labels[0] ?? 'Neutral';
      return { status: 'ok', label, confidence: 1, rationale: `thread ${threadId}`, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 };
    },
  };
}
