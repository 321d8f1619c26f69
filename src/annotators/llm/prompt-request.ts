import type { AnnotationRequest, ImageLayout } from '../annotator.js';
import { annotationJsonSchema, type AnnotationSchema, createAnnotationSchema } from './annotation-schema.js';
import { buildUserParts, formatHint, promptValues } from './build-llm-request.js';
import { describeHint, localHint } from './local-hint.js';
import type { LlmImage, LlmPart } from './llm-request.js';
import type { PromptFile } from './prompt-file.js';
import { renderTemplate, type TemplateValues } from './render-template.js';
import type { Taxonomy } from '../../taxonomy/taxonomy.js';

/** What the prompt makes of one request: the system and user turns, and the schema its answer must match. */
export interface RenderedPrompt {
  readonly system: string;
  readonly parts: LlmPart[];
  readonly schema: AnnotationSchema;
  /** {@link annotationJsonSchema} of `schema`: what goes as structured output. */
  readonly jsonSchema: Record<string, unknown>;
  /** The values the templates were filled with (the repair prompt reuses `labels`). */
  readonly values: TemplateValues;
}

/**
 * What the schema depends on in a request: its taxonomy, how many images and their layout. Images
 * are only counted, so a cost estimate can pass their sizes.
 */
export type SchemaShape = Pick<AnnotationRequest, 'taxonomy' | 'layout'> & { readonly images: readonly unknown[] };

/** The frames a request shows: its images, or the frames tiled into its one grid image. */
function frameCountOf(request: SchemaShape): number {
  return request.layout?.kind === 'grid' ? request.layout.frameCount : request.images.length;
}

const schemas = new WeakMap<Taxonomy, Map<string, AnnotationSchema>>();

/**
 * The schema an answer to `request` must match under `prompt`. A `schema: v1` prompt gets the
 * `@v1` fields whatever the request; a `schema: v2` prompt also gets `abstain`, and for several
 * frames each frame's label (and, with `au-cot`, the peak frame), and for `hint` whether the hint
 * was followed. Built once per taxonomy and request shape.
 */
export function promptSchema(prompt: Pick<PromptFile, 'mode' | 'schema'>, request: SchemaShape): AnnotationSchema {
  const version = prompt.schema;
  const frameCount = version === 2 ? frameCountOf(request) : 1;
  const key = `${prompt.mode}|${version}|${frameCount}`;
  let byShape = schemas.get(request.taxonomy);
  if (!byShape) schemas.set(request.taxonomy, (byShape = new Map()));
  let schema = byShape.get(key);
  if (!schema) {
    schema = createAnnotationSchema(request.taxonomy, { actionUnits: prompt.mode === 'au-cot', version, frameCount, hint: prompt.mode === 'hint' });
    byShape.set(key, schema);
  }
  return schema;
}

/**
 * Everything `prompt` decides about one request: the rendered system and user turns (images first,
 * numbered when there are several) and the answer's schema. In `hint` mode the hint is the
 * request's own or, without one, the local model's view of the same images (of the grid's frames):
 * as its top three classes with probabilities for `@v1` prompts, as its first two choices and their
 * measured reliability for `schema: v2` prompts. Images are given already prepared (scaled, JPEG).
 * @example const { system, parts, jsonSchema } = await renderPrompt(loadPrompt('direct'), request, images);
 */
export async function renderPrompt(prompt: PromptFile, request: AnnotationRequest, images: readonly LlmImage[]): Promise<RenderedPrompt> {
  const { taxonomy } = request;
  const layout: ImageLayout = request.layout ?? { kind: 'frames' };
  let hint: string | undefined;
  let hintWords = {};
  if (prompt.mode === 'hint') {
    const hintImages = layout.kind === 'grid' && layout.frames ? layout.frames : request.images;
    const distribution = request.hint ?? (await localHint(hintImages, taxonomy));
    if (prompt.schema === 2) hintWords = describeHint(distribution, taxonomy);
    else hint = formatHint(distribution, taxonomy);
  }
  const values = promptValues(taxonomy, layout, images.length, hint, { imageContent: request.imageContent, ...hintWords });
  const schema = promptSchema(prompt, request);
  return {
    system: renderTemplate(prompt.system, values, prompt.path),
    parts: buildUserParts(prompt, images, values),
    schema,
    jsonSchema: annotationJsonSchema(schema),
    values,
  };
}
