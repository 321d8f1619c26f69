import { z } from 'zod';
import { environmentSetting } from '../environment-setting.js';
import type { ImageDetail } from '../cost/image-tokens.js';
import { EmolabelError } from '../../errors.js';
import { parseSettings } from '../parse-settings.js';
import type { ReasoningEffort } from './llm-request.js';

const whole = (min: number, max: number) => z.number().int().min(min).max(max).optional().describe(`a whole number from ${min} to ${max}`);
const text = z.string().optional();

/**
 * The settings every LLM provider takes, as a strict schema: an unknown key fails naming it (a
 * typo such as `detial` must not pass silently and change the cache key).
 */
export const llmSettingsSchema = z.strictObject({
  /** Base URL of the provider's endpoint (required for `openai-compatible`). */
  baseUrl: z.string().regex(/^https?:\/\//).optional().describe('a URL (start with http:// or https://, e.g. http://127.0.0.1:11434/v1)'),
  /** Name of the environment variable holding the API key, instead of the provider's usual one. */
  apiKeyEnv: text,
  /** `direct`, `au-cot`, `hint`, a versioned name (`direct@v1`) or a path to a prompt `.md` file. @default 'direct' */
  prompt: text,
  /** Image detail (OpenAI `detail`, Gemini `mediaResolution`); Anthropic has none and warns. @default 'low' on OpenAI, the provider's own elsewhere */
  detail: z.enum(['low', 'high', 'auto']).optional().describe('one of low, high, auto'),
  /** Longest side of each image sent, in pixels; larger crops are scaled down. @default 512 */
  imageSize: whole(32, 4096),
  /** JPEG quality of the images sent. @default 85 */
  jpegQuality: whole(1, 100),
  /** Most images one request may carry; replaces the price table's value for this model. */
  maxImagesPerRequest: whole(1, 10_000),
  /** A JSON price table whose entries replace the bundled ones (also read from `EMOLABEL_PRICE_TABLE`). */
  priceTable: text,
  /** Cap on the tokens of one answer, reasoning included. @default 1024, 4096 for models that reason */
  maxOutputTokens: whole(16, 100_000),
  /** How much a reasoning model may think (OpenAI `reasoning_effort`, Gemini `thinkingConfig`). @default 'low' for models that reason */
  reasoningEffort: z.enum(['none', 'minimal', 'low', 'medium', 'high']).optional().describe('one of none, minimal, low, medium, high'),
  /**
   * OpenAI's processing tier: `flex` answers slower (and may answer 429 when busy) at the batch
   * API's price, synchronously, on the models that offer it. Other providers ignore it with a warning.
   */
  serviceTier: z.enum(['default', 'flex']).optional().describe('one of default, flex'),
  /** Where API keys are read from. @default process.env */
  env: environmentSetting,
});

/** Settings of an LLM annotator; every field is optional. Timeouts belong to the resilience middleware. */
export type LlmAnnotatorSettings = z.input<typeof llmSettingsSchema>;

/** {@link LlmAnnotatorSettings} checked, with defaults filled in. */
export interface ResolvedLlmSettings {
  readonly baseUrl?: string;
  readonly apiKeyEnv?: string;
  readonly prompt: string;
  readonly detail?: ImageDetail;
  readonly imageSize: number;
  readonly jpegQuality: number;
  readonly maxImagesPerRequest?: number;
  readonly priceTable?: string;
  /** Undefined: the model's default (see `reasoning-models.ts`). */
  readonly maxOutputTokens?: number;
  readonly reasoningEffort?: ReasoningEffort;
  readonly serviceTier?: 'default' | 'flex';
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_IMAGE_SIZE = 512;

/**
 * A base URL with `user:password@` in it would be stored with the run and printed in every error:
 * refused before anything is recorded, without repeating the credentials.
 */
function refuseCredentialsInUrl(baseUrl: unknown): void {
  if (typeof baseUrl !== 'string') return;
  const match = /^(https?:\/\/)([^/?#]*)@/i.exec(baseUrl);
  if (!match) return;
  const shown = `${match[1]}…@${baseUrl.slice(match[0].length)}`;
  throw new EmolabelError(
    'invalid_option',
    `\`baseUrl\` must not carry a user name or password (got ${shown}): it would be stored with the run and shown in messages. Give the key in an environment variable instead (named with \`apiKeyEnv\`).`,
  );
}

/** Checks the settings an LLM annotator was given and fills in defaults; a bad or unknown setting fails naming it. */
export function resolveLlmSettings(settings: unknown, owner = 'an LLM annotator'): ResolvedLlmSettings {
  // Undefined and empty values mean "not given" (the CLI passes every flag, set or not).
  const given = Object.fromEntries(Object.entries((settings ?? {}) as Record<string, unknown>).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  refuseCredentialsInUrl(given.baseUrl);
  const parsed = parseSettings(llmSettingsSchema, given, { owner });
  return {
    baseUrl: parsed.baseUrl?.replace(/\/+$/, ''),
    apiKeyEnv: parsed.apiKeyEnv,
    prompt: parsed.prompt ?? 'direct',
    detail: parsed.detail,
    imageSize: parsed.imageSize ?? DEFAULT_IMAGE_SIZE,
    jpegQuality: parsed.jpegQuality ?? 85,
    maxImagesPerRequest: parsed.maxImagesPerRequest,
    priceTable: parsed.priceTable,
    maxOutputTokens: parsed.maxOutputTokens,
    reasoningEffort: parsed.reasoningEffort,
    ...(parsed.serviceTier === undefined ? {} : { serviceTier: parsed.serviceTier }),
    env: parsed.env ?? process.env,
  };
}
