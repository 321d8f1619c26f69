import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { FaceMode } from '../faces/find-faces.js';
import type { AnnotateOptions } from '../pipeline/annotate.js';
import { resolveTaxonomy } from '../taxonomy/load-taxonomy.js';

/** The options of a run that change its results, in a form that can be stored and re-used to resume it. */
export interface StoredRunOptions {
  readonly model: string;
  readonly strategy: string;
  readonly taxonomy: string;
  /** The taxonomy's JSON file, when it came from one: what a resume loads it from. */
  readonly taxonomyFile?: string;
  readonly frames?: number;
  readonly faces?: FaceMode;
  readonly faceMargin?: number;
  readonly manifest?: string;
  readonly clipFolders?: boolean;
  readonly annotatorSettings?: Readonly<Record<string, unknown>>;
}

/** Drops undefined values so equal options serialise equally. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as T;
}

/** Annotator settings that belong to a session, not to the run: `env` may carry API keys (never stored). */
const SESSION_SETTINGS: readonly string[] = ['env'];

/** The storable, result-changing subset of annotate options. */
export function storedRunOptions(options: AnnotateOptions): StoredRunOptions {
  const taxonomyFile = typeof options.taxonomy === 'string' && options.taxonomy.endsWith('.json') ? resolve(options.taxonomy) : undefined;
  const taxonomy = typeof options.taxonomy === 'object' ? options.taxonomy.name : taxonomyFile ? resolveTaxonomy(taxonomyFile).name : (options.taxonomy ?? 'basic7');
  return compact({
    model: options.model ?? 'local',
    strategy: options.strategy ?? 'frame',
    taxonomy,
    taxonomyFile,
    frames: options.frames,
    faces: options.faces,
    faceMargin: options.faceMargin,
    manifest: options.manifest,
    clipFolders: options.clipFolders || undefined,
    annotatorSettings: options.annotatorSettings && compact(Object.fromEntries(
      Object.entries(options.annotatorSettings).filter(([name]) => !SESSION_SETTINGS.includes(name)),
    )),
  });
}

/** The annotator settings of this session only, to apply over a stored run's. */
export function sessionAnnotatorSettings(settings: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  return compact(Object.fromEntries(Object.entries(settings ?? {}).filter(([name]) => SESSION_SETTINGS.includes(name))));
}

/** Equal for the same inputs and result-changing options: running the same command again resumes. */
export function runFingerprint(inputs: readonly string[], options: StoredRunOptions): string {
  const sortedSettings = options.annotatorSettings && Object.fromEntries(Object.entries(options.annotatorSettings).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify({ inputs, ...options, annotatorSettings: sortedSettings })).digest('hex').slice(0, 32);
}
