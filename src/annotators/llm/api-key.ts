import { EmolabelError } from '../../errors.js';

/** Where a provider's key usually lives, and whether it needs one at all. */
export interface ApiKeySource {
  /** `openai`, `anthropic` … for messages. */
  readonly provider: string;
  /** Variables tried in order (`OPENAI_API_KEY`; `GEMINI_API_KEY`, `GOOGLE_API_KEY`). */
  readonly variables: readonly string[];
  /** Local servers (Ollama, vLLM) take no key; a variable named with `apiKeyEnv` is then still required. */
  readonly required: boolean;
}

/**
 * Reads the API key from the environment: the variable named by `apiKeyEnv`, else the provider's
 * usual ones. Throws `missing_api_key` naming the variable when a required key is absent. The key's
 * value never appears in a message.
 */
export function loadApiKey(source: ApiKeySource, env: Readonly<Record<string, string | undefined>>, apiKeyEnv?: string): string | undefined {
  if (apiKeyEnv !== undefined) {
    const value = env[apiKeyEnv]?.trim();
    if (value) return value;
    throw new EmolabelError(
      'missing_api_key',
      `${source.provider} API key not found: --api-key-env names ${apiKeyEnv}, but that environment variable is not set or empty. Set it (export ${apiKeyEnv}=...) or name another variable.`,
    );
  }
  for (const variable of source.variables) {
    const value = env[variable]?.trim();
    if (value) return value;
  }
  if (!source.required) return undefined;
  const names = source.variables.join(' or ');
  throw new EmolabelError(
    'missing_api_key',
    `${source.provider} API key not found: set the ${names} environment variable (export ${source.variables[0]}=...), or name another variable with --api-key-env.`,
  );
}

/** `secret` as it may be echoed back: itself, and base64 (standard, unpadded, URL-safe). */
function formsOf(secret: string): string[] {
  const base64 = Buffer.from(secret).toString('base64');
  return [...new Set([secret, base64, base64.replace(/=+$/, ''), Buffer.from(secret).toString('base64url')])].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of `secret` (and of its base64) in `text`, for messages and answers built from provider replies. */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  let redacted = text;
  for (const form of formsOf(secret)) redacted = redacted.split(form).join('[redacted]');
  return redacted;
}

/** `value` with {@link redactSecret} applied to every string in it (an annotation, a provider's JSON reply). */
export function redactSecretDeep<T>(value: T, secret: string | undefined): T {
  if (!secret || secret.length < 4) return value;
  const walk = (each: unknown): unknown => {
    if (typeof each === 'string') return redactSecret(each, secret);
    if (Array.isArray(each)) return each.map(walk);
    if (each !== null && typeof each === 'object' && Object.getPrototypeOf(each) === Object.prototype) {
      return Object.fromEntries(Object.entries(each).map(([key, field]) => [key, walk(field)]));
    }
    return each;
  };
  return walk(value) as T;
}
