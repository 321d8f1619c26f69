import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { promptsDirectory } from './prompt-file.js';
import type { Taxonomy } from '../../taxonomy/taxonomy.js';
import { EmolabelError } from '../../errors.js';

/** How the local model did on one class: precision is "right when it says this class". */
export interface ClassReliability {
  /** Share of the images it called this class that were this class; null when it never did. */
  readonly precision: number | null;
  /** Share of the images of this class it called this class; null when the set has none. */
  readonly recall: number | null;
  /** Images it called this class. */
  readonly predicted: number;
  /** Images of this class in the set. */
  readonly support: number;
}

/** The local model's measured reliability on one taxonomy. */
export interface TaxonomyReliability {
  readonly accuracy: number;
  readonly classes: Readonly<Record<string, ClassReliability>>;
}

/** `prompts/local-model-reliability.json`, written by `bench/local-model-reliability.ts`. */
export interface LocalModelReliability {
  /** `2025-11-20`: the day it was measured. */
  readonly measured: string;
  readonly dataset: string;
  /** Images it was measured on. */
  readonly images: number;
  readonly facesFound: number;
  readonly pipeline: string;
  readonly source: string;
  /** By taxonomy name (`basic7`, `ternary`). */
  readonly taxonomies: Readonly<Record<string, TaxonomyReliability>>;
}

const classSchema = z.object({ precision: z.number().nullable(), recall: z.number().nullable(), predicted: z.number(), support: z.number() });
const reliabilitySchema = z.object({
  measured: z.string(),
  dataset: z.string(),
  images: z.number(),
  facesFound: z.number(),
  pipeline: z.string(),
  source: z.string(),
  taxonomies: z.record(z.string(), z.object({ accuracy: z.number(), classes: z.record(z.string(), classSchema) })),
});

let loaded: LocalModelReliability | undefined;

/**
 * The local model's per-class reliability as measured on faces-dev (shipped in `prompts/`).
 * @example loadLocalModelReliability().taxonomies.basic7?.classes.Happy?.precision // 0.7
 */
export function loadLocalModelReliability(path = join(promptsDirectory(), 'local-model-reliability.json')): LocalModelReliability {
  if (loaded && path === join(promptsDirectory(), 'local-model-reliability.json')) return loaded;
  const parsed = reliabilitySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new EmolabelError('invalid_input', `${path} is not the local model's reliability file (${parsed.error.issues[0]?.message ?? 'wrong shape'}); write it again with npx tsx bench/local-model-reliability.ts.`, { path });
  }
  if (path === join(promptsDirectory(), 'local-model-reliability.json')) loaded = parsed.data;
  return parsed.data;
}

/**
 * The reliability measured for `taxonomy`, when it is one that was measured (a built-in by name,
 * with the same labels); undefined for custom taxonomies.
 */
export function reliabilityFor(taxonomy: Taxonomy, reliability: LocalModelReliability = loadLocalModelReliability()): TaxonomyReliability | undefined {
  const measured = reliability.taxonomies[taxonomy.name];
  if (measured === undefined) return undefined;
  const labels = Object.keys(measured.classes);
  return labels.length === taxonomy.labels.length && taxonomy.labels.every((label) => labels.includes(label)) ? measured : undefined;
}
