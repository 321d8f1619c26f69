import type { ImageLayout } from '../annotator.js';
import type { LlmImage, LlmPart } from './llm-request.js';
import type { PromptFile } from './prompt-file.js';
import { renderTemplate, type TemplateValues } from './render-template.js';
import { encodeJpeg } from '../../media/decode-image.js';
import type { RgbImage } from '../../media/rgb-image.js';
import { limitImageSize } from '../../faces/transform-image.js';
import type { Distribution, Taxonomy } from '../../taxonomy/taxonomy.js';

/** Scales an image to `maxSide` and encodes it as JPEG, the form every provider is sent. */
export async function prepareImage(image: RgbImage, options: { maxSide: number; quality: number }): Promise<LlmImage> {
  const limited = await limitImageSize(image, options.maxSide);
  const jpeg = await encodeJpeg(limited, options.quality);
  return { jpeg, base64: jpeg.toString('base64'), width: limited.width, height: limited.height };
}

/** `Happy 0.72, Neutral 0.18, Surprise 0.05`: the top classes of a hint distribution. */
export function formatHint(distribution: Distribution, taxonomy: Taxonomy, top = 3): string {
  return taxonomy.labels
    .map((label) => ({ label, probability: distribution[label] ?? 0 }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, top)
    .map(({ label, probability }) => `${label} ${probability.toFixed(2)}`)
    .join(', ');
}

/** What a request's prompt says beyond the labels and the layout (prompts `@v2`). */
export interface PromptContext {
  /** What the images show. @default 'face' */
  readonly imageContent?: 'face' | 'frame';
  /** The local model's two first choices, in words (`its first choice is Happy and its second Neutral`). */
  readonly hintChoices?: string;
  /** How reliable those choices are, in words; empty when unmeasured. */
  readonly hintReliability?: string;
}

/**
 * The values a prompt template can use for one request: `single`, `multi`, `grid` and `several`
 * (multi or grid) for the layout; `faces` and `wholeFrames` for what the images show; `labels`,
 * `labelList`; `frameCount`, `columns`, `rows`; `hint` (top three with probabilities, `@v1`) and
 * `hintChoices`, `hintReliability` (`@v2`).
 */
export function promptValues(taxonomy: Taxonomy, layout: ImageLayout, imageCount: number, hint?: string, context: PromptContext = {}): TemplateValues {
  const frameCount = layout.kind === 'grid' ? layout.frameCount : imageCount;
  const wholeFrames = context.imageContent === 'frame';
  return {
    single: layout.kind === 'frames' && imageCount === 1,
    multi: layout.kind === 'frames' && imageCount > 1,
    grid: layout.kind === 'grid',
    several: layout.kind === 'grid' || imageCount > 1,
    faces: !wholeFrames,
    wholeFrames,
    frameCount,
    columns: layout.kind === 'grid' ? layout.columns : 1,
    rows: layout.kind === 'grid' ? layout.rows : 1,
    labels: taxonomy.labels.join(', '),
    labelList: taxonomy.labels.map((label) => `- ${label}: ${taxonomy.descriptions[label] ?? label}`).join('\n'),
    hint: hint ?? '',
    hintChoices: context.hintChoices ?? hint ?? '',
    hintReliability: context.hintReliability ?? '',
    index: 1,
  };
}

/**
 * The user turn: each image (numbered with the prompt's frame label when there are several), then
 * the question. Images come first so the question is read with them in view.
 */
export function buildUserParts(prompt: PromptFile, images: readonly LlmImage[], values: TemplateValues): LlmPart[] {
  const parts: LlmPart[] = [];
  for (const [index, image] of images.entries()) {
    if (images.length > 1) parts.push({ kind: 'text', text: renderTemplate(prompt.frameLabel, { ...values, index: index + 1 }, prompt.path) });
    parts.push({ kind: 'image', image });
  }
  parts.push({ kind: 'text', text: renderTemplate(prompt.user, values, prompt.path) });
  return parts;
}
