import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BASIC_LABELS, type BasicLabel, labelKey } from './basic-labels.js';
import { BUILT_IN_TAXONOMIES, type Taxonomy } from './taxonomy.js';
import { EmolabelError } from '../errors.js';

const taxonomyFileSchema = z.object({
  name: z.string().min(1),
  labels: z
    .array(z.object({ name: z.string().min(1), description: z.string().default(''), synonyms: z.array(z.string()).default([]) }))
    .min(2),
  fromBasic: z.record(z.string(), z.string()),
});

/** The JSON shape of a custom taxonomy file; see the README's "Taxonomies" section. */
export type TaxonomyFile = z.input<typeof taxonomyFileSchema>;

/** Checks a parsed taxonomy file and turns it into a {@link Taxonomy}; `source` names it in errors. */
export function parseTaxonomy(value: unknown, source: string): Taxonomy {
  const parsed = taxonomyFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmolabelError(
      'invalid_option',
      `Taxonomy file ${source} is not valid: ${issue?.path.join('.') || '(root)'}: ${issue?.message}. ` +
        'Expected {"name", "labels": [{"name", "description"}], "fromBasic": {"Angry": "<label>", ...}}.',
      { path: source },
    );
  }
  const { name, labels, fromBasic } = parsed.data;
  const labelNames = labels.map((label) => label.name);
  // Labels are matched by their key (case and spacing ignored), so two that share one cannot be told apart.
  const byKey = new Map<string, string>();
  for (const label of labelNames) {
    const first = byKey.get(labelKey(label));
    if (first !== undefined) {
      throw new EmolabelError('invalid_option', `Taxonomy file ${source} names the label "${label}" twice (as "${first}" too); give each label its own name.`, { path: source });
    }
    byKey.set(labelKey(label), label);
  }
  const mapping = {} as Record<BasicLabel, string>;
  for (const basic of BASIC_LABELS) {
    const target = fromBasic[basic];
    if (target === undefined || !labelNames.includes(target)) {
      throw new EmolabelError(
        'invalid_option',
        `Taxonomy file ${source}: fromBasic.${basic} must be one of ${labelNames.join(', ')}, got ${JSON.stringify(target)}.`,
        { path: source },
      );
    }
    mapping[basic] = target;
  }
  const synonyms: Record<string, string> = {};
  for (const label of labels) for (const synonym of label.synonyms) synonyms[labelKey(synonym)] = label.name;
  return {
    name,
    labels: labelNames,
    descriptions: Object.fromEntries(labels.map((label) => [label.name, label.description || label.name])),
    fromBasic: mapping,
    synonyms,
  };
}

/**
 * Resolves `--taxonomy`: a built-in name (`basic7`, `ternary`) or a path to a JSON taxonomy file.
 * @example resolveTaxonomy('ternary').labels // ['negative', 'neutral', 'positive']
 */
export function resolveTaxonomy(nameOrPath: string): Taxonomy {
  const builtIn = BUILT_IN_TAXONOMIES[nameOrPath];
  if (builtIn !== undefined) return builtIn;
  if (!nameOrPath.endsWith('.json')) {
    throw new EmolabelError(
      'invalid_option',
      `Unknown taxonomy "${nameOrPath}". Use one of ${Object.keys(BUILT_IN_TAXONOMIES).join(', ')} or a path to a .json taxonomy file.`,
    );
  }
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch (error) {
    throw new EmolabelError('invalid_option', `Cannot read taxonomy file ${nameOrPath}: ${(error as Error).message}`, { cause: error, path: nameOrPath });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EmolabelError('invalid_option', `Taxonomy file ${nameOrPath} is not valid JSON: ${(error as Error).message}`, { cause: error, path: nameOrPath });
  }
  return parseTaxonomy(json, nameOrPath);
}
