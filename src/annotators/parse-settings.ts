import type { z } from 'zod';
import { EmolabelError } from '../errors.js';

/** What came, for the message; never the environment (it holds keys), only its shape. */
function describeValue(name: string, value: unknown): string {
  if (name === 'env') return value !== null && typeof value === 'object' ? `an object with ${Object.keys(value).length} entries` : `a ${value === null ? 'null' : typeof value}`;
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\` (${typeof value})`;
}

/**
 * Parses a provider's settings with its (strict) schema. An unknown key fails naming it and the
 * known ones; a bad value fails saying what was expected (the field's `.describe()`) and what came.
 * @example parseSettings(llmSettingsSchema, { detial: 'high' }, { owner: 'openai:gpt-4o-mini' }) // throws: Unknown setting `detial` …
 */
export function parseSettings<Schema extends z.ZodType>(
  schema: Schema,
  settings: unknown,
  context: { readonly owner: string },
): z.output<Schema> {
  const result = schema.safeParse(settings ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const shape = 'shape' in schema && typeof schema.shape === 'object' && schema.shape !== null ? (schema.shape as Record<string, z.ZodType>) : {};
  const known = Object.keys(shape);
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `\`${key}\``).join(', ');
    throw new EmolabelError('invalid_option', `Unknown setting ${keys} for ${context.owner}; known settings: ${known.join(', ')}.`);
  }
  const name = String(issue?.path[0] ?? 'settings');
  const value = (settings as Record<string, unknown> | undefined)?.[name];
  // A field's `.describe()` says what it must be; else zod's own words.
  const expected = shape[name]?.description ?? (issue?.message ?? 'a valid value').toLowerCase();
  throw new EmolabelError('invalid_option', `Expected \`${name}\` to be ${expected}, got ${describeValue(name, value)}.`);
}
