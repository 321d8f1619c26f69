import type { AnnotatorSettings } from '../annotator-factory.js';
import type { ImageDetail } from '../cost/image-tokens.js';
import { EmolabelError } from '../../errors.js';

/** Settings the LLM annotators read from {@link AnnotatorSettings}; every field is optional. */
export interface LlmAnnotatorSettings extends AnnotatorSettings {
  /** `direct`, `au-cot`, `hint`, a versioned name (`direct@v1`) or a path to a prompt `.md` file. @default 'direct' */
  readonly prompt?: string;
  /** Image detail (OpenAI `detail`, Gemini `mediaResolution`); Anthropic has none and warns. @default 'low' on OpenAI, the provider's own elsewhere */
  readonly detail?: ImageDetail;
  /** Longest side of each image sent, in pixels; larger crops are scaled down. @default 512 */
  readonly imageSize?: number;
  /** JPEG quality of the images sent. @default 85 */
  readonly jpegQuality?: number;
  /** A request that takes longer fails with a retryable timeout error. @default 60000 */
  readonly timeoutMs?: number;
  /** Most images one request may carry; replaces the price table's value for this model. */
  readonly maxImagesPerRequest?: number;
  /** A JSON price table whose entries replace the bundled ones (also read from `EMOLABEL_PRICE_TABLE`). */
  readonly priceTable?: string;
  /** Cap on the tokens of one answer. @default 1024 */
  readonly maxOutputTokens?: number;
  /** Where API keys are read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** {@link LlmAnnotatorSettings} checked, with defaults filled in. */
export interface ResolvedLlmSettings {
  readonly baseUrl?: string;
  readonly apiKeyEnv?: string;
  readonly prompt: string;
  readonly detail?: ImageDetail;
  readonly imageSize: number;
  readonly jpegQuality: number;
  readonly timeoutMs: number;
  readonly maxImagesPerRequest?: number;
  readonly priceTable?: string;
  readonly maxOutputTokens: number;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_IMAGE_SIZE = 512;
export const DEFAULT_TIMEOUT_MS = 60_000;

function describeValue(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\` (${typeof value})`;
}

function wholeNumber(settings: AnnotatorSettings, name: string, min: number, max: number): number | undefined {
  const value = settings[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new EmolabelError('invalid_option', `Expected \`${name}\` to be a whole number from ${min} to ${max}, got ${describeValue(value)}.`);
  }
  return value;
}

function text(settings: AnnotatorSettings, name: string): string | undefined {
  const value = settings[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new EmolabelError('invalid_option', `Expected \`${name}\` to be a string, got ${describeValue(value)}.`);
  return value;
}

/** Checks the settings an LLM annotator was given and fills in defaults; bad values fail naming the setting. */
export function resolveLlmSettings(settings: AnnotatorSettings): ResolvedLlmSettings {
  const detail = text(settings, 'detail');
  if (detail !== undefined && !['low', 'high', 'auto'].includes(detail)) {
    throw new EmolabelError('invalid_option', `Expected \`detail\` to be one of low, high, auto, got ${describeValue(detail)}.`);
  }
  const env = settings.env;
  if (env !== undefined && (typeof env !== 'object' || env === null)) {
    throw new EmolabelError('invalid_option', `Expected \`env\` to be an object of environment variables, got ${describeValue(env)}.`);
  }
  const baseUrl = text(settings, 'baseUrl');
  if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl)) {
    throw new EmolabelError('invalid_option', `Expected \`baseUrl\` to start with http:// or https://, got ${describeValue(baseUrl)}. Example: http://127.0.0.1:11434/v1`);
  }
  return {
    baseUrl: baseUrl?.replace(/\/+$/, ''),
    apiKeyEnv: text(settings, 'apiKeyEnv'),
    prompt: text(settings, 'prompt') ?? 'direct',
    detail: detail as ImageDetail | undefined,
    imageSize: wholeNumber(settings, 'imageSize', 32, 4096) ?? DEFAULT_IMAGE_SIZE,
    jpegQuality: wholeNumber(settings, 'jpegQuality', 1, 100) ?? 85,
    timeoutMs: wholeNumber(settings, 'timeoutMs', 1, 3_600_000) ?? DEFAULT_TIMEOUT_MS,
    maxImagesPerRequest: wholeNumber(settings, 'maxImagesPerRequest', 1, 10_000),
    priceTable: text(settings, 'priceTable'),
    maxOutputTokens: wholeNumber(settings, 'maxOutputTokens', 16, 100_000) ?? 1024,
    env: (env as Record<string, string | undefined> | undefined) ?? process.env,
  };
}
