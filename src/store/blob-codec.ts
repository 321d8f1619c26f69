import type { z } from 'zod';
import { EmolabelError } from '../errors.js';

/**
 * The codec version this emolabel writes into the `codec` column of each row it stores. A row's
 * JSON blobs share its version; rows written before the column existed are version 1. A write that
 * replaces one blob of a row keeps the row's version, so a version that changes a blob's shape
 * must re-encode the row's other blobs in such writes. Version 3: a result's `costUsd` may be `null`
 * (unknown price).
 */
export const CODEC_VERSION = 3;

/**
 * How one kind of JSON blob is read: a zod schema per codec version, each giving today's shape (a
 * reader of an older version upgrades as it parses). Blobs are written with {@link encodeBlob}.
 * @example
 * const labelsCodec = defineBlobCodec('the labels of the run', { 1: z.array(z.string()) });
 */
export interface BlobCodec<T> {
  /** What the blob holds, for messages: `the options of the run`. */
  readonly description: string;
  readonly readers: Readonly<Record<number, z.ZodType<T>>>;
}

/** Where a blob was read: the store file, the table and column, and the row as a user would name it. */
export interface BlobSource {
  readonly file: string;
  readonly table: string;
  readonly column: string;
  /** `run r20261123-1105-3fa9c1, item clip-1, face 0`. */
  readonly row: string;
}

/** A {@link BlobCodec}; every version up to {@link CODEC_VERSION} needs a reader. */
export function defineBlobCodec<T>(description: string, readers: Readonly<Record<number, z.ZodType<T>>>): BlobCodec<T> {
  return { description, readers };
}

/** The text to store for `value` at {@link CODEC_VERSION}, whose blobs are plain JSON (no marker inside: the row's `codec` column says the version). */
export function encodeBlob(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * Reads a stored blob written at codec `version`: parses the JSON and checks it against that
 * version's schema. Throws an `EmolabelError` naming the file, table, column and row, and saying
 * what to do, when the version is unknown, the text is not JSON or its shape is wrong.
 */
export function decodeBlob<T>(codec: BlobCodec<T>, text: string, version: number, source: BlobSource): T {
  const fail = (problem: string, remedy: string, cause?: unknown): never => {
    throw new EmolabelError(
      'invalid_input',
      `Cannot read ${codec.description} from ${source.file} (table ${source.table}, column ${source.column}, ${source.row}): ${problem}. ${remedy}`,
      { path: source.file, ...(cause === undefined ? {} : { cause }) },
    );
  };
  const damaged = 'emolabel writes this column itself, so the row was changed outside emolabel or the file is damaged: restore the file from a backup, or start a new store with --db.';
  const reader = codec.readers[version];
  if (reader === undefined) {
    if (version > CODEC_VERSION) return fail(`it was written in codec version ${version} by a newer emolabel; this one reads up to ${CODEC_VERSION}`, 'Upgrade emolabel (npm install emolabel@latest) to read it.');
    return fail(`expected codec version 1 to ${CODEC_VERSION}, got ${version}`, damaged);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`expected JSON, got ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} (${(error as Error).message})`, damaged, error);
  }
  const parsed = reader.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return fail(`at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'not the expected shape'}`, damaged, parsed.error);
}
