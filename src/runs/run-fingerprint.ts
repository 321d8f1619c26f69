import { createHash } from 'node:crypto';
import type { FaceMode } from '../faces/find-faces.js';
import type { AnnotateOptions } from '../pipeline/annotate.js';

/** The options of a run that change its results, in a form that can be stored and re-used to resume it. */
export interface StoredRunOptions {
  readonly model: string;
  readonly strategy: string;
  readonly taxonomy: string;
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

/** The storable, result-changing subset of annotate options. */
export function storedRunOptions(options: AnnotateOptions): StoredRunOptions {
  const taxonomy = typeof options.taxonomy === 'object' ? options.taxonomy.name : (options.taxonomy ?? 'basic7');
  return compact({
    model: options.model ?? 'local',
    strategy: options.strategy ?? 'frame',
    taxonomy,
    frames: options.frames,
    faces: options.faces,
    faceMargin: options.faceMargin,
    manifest: options.manifest,
    clipFolders: options.clipFolders || undefined,
    // `env` may carry API keys (tests pass it): never stored, never part of the fingerprint.
    annotatorSettings: options.annotatorSettings && compact({ ...options.annotatorSettings, env: undefined }),
  });
}

/** Equal for the same inputs and result-changing options: running the same command again resumes. */
export function runFingerprint(inputs: readonly string[], options: StoredRunOptions): string {
  const sortedSettings = options.annotatorSettings && Object.fromEntries(Object.entries(options.annotatorSettings).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify({ inputs, ...options, annotatorSettings: sortedSettings })).digest('hex').slice(0, 32);
}
