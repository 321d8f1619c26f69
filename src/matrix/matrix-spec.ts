import type { DatasetItem } from '../datasets/dataset-loader.js';
import { EmolabelError } from '../errors.js';

/** The dimensions of the benchmark matrix (`emolabel bench`): every combination is one cell. */
export interface MatrixSpec {
  readonly models: readonly string[];
  readonly strategies: readonly string[];
  readonly prompts: readonly string[];
  readonly taxonomies: readonly string[];
}

/** One combination of the matrix. `prompt` is `-` for annotators that take no prompt (the local model). */
export interface MatrixCellPlan {
  readonly name: string;
  readonly model: string;
  readonly strategy: string;
  readonly prompt: string;
  readonly taxonomy: string;
}

/** A taxonomy `.json` or prompt `.md` file is named by its file name without extension. */
const fileStem = (part: string): string => (/\.(json|md)$/i.test(part) ? (part.split(/[\\/]/).at(-1) ?? part).replace(/\.(json|md)$/i, '') : part);

/** A cell's folder name: its coordinates joined by `__`, with characters unsafe in file names as `-`. */
export function matrixCellName(cell: Omit<MatrixCellPlan, 'name'>): string {
  return [cell.model, cell.strategy, fileStem(cell.prompt), fileStem(cell.taxonomy)].map((part) => part.replace(/[^A-Za-z0-9._@-]+/g, '-')).join('__');
}

/**
 * Every cell of the matrix, models outermost. Models for which `takesPrompt` is false get one cell per
 * strategy and taxonomy (prompt `-`) instead of one per prompt.
 */
export function planMatrixCells(matrix: MatrixSpec, takesPrompt: (model: string) => boolean): MatrixCellPlan[] {
  for (const [dimension, values] of Object.entries(matrix) as Array<[keyof MatrixSpec, readonly string[]]>) {
    if (values.length === 0) throw new EmolabelError('invalid_option', `The bench needs at least one of ${dimension}; e.g. --${dimension} ${EXAMPLES[dimension]}.`);
  }
  const cells: MatrixCellPlan[] = [];
  const seen = new Map<string, string>();
  for (const model of matrix.models) {
    for (const strategy of matrix.strategies) {
      for (const prompt of takesPrompt(model) ? matrix.prompts : ['-']) {
        for (const taxonomy of matrix.taxonomies) {
          const name = matrixCellName({ model, strategy, prompt, taxonomy });
          const coordinates = JSON.stringify([model, strategy, prompt, taxonomy]);
          const previous = seen.get(name);
          if (previous === coordinates) continue;
          if (previous !== undefined) {
            throw new EmolabelError('invalid_option', `Two cells of the bench would share the folder "${name}" (${previous} and ${coordinates}); rename a taxonomy or prompt file.`);
          }
          seen.set(name, coordinates);
          cells.push({ name, model, strategy, prompt, taxonomy });
        }
      }
    }
  }
  return cells;
}

const EXAMPLES: Record<keyof MatrixSpec, string> = { models: 'local', strategies: 'frame', prompts: 'direct', taxonomies: 'basic7' };

/**
 * The first `limit` items taken round-robin across labels (in order of first appearance), so a
 * limited run still sees every class; all items, in order, without a limit. Repeated paths are dropped.
 */
export function selectMatrixItems<T extends Pick<DatasetItem, 'label' | 'path'>>(items: readonly T[], limit?: number): T[] {
  const seen = new Set<string>();
  const unique = items.filter((item) => (seen.has(item.path) ? false : (seen.add(item.path), true)));
  if (limit === undefined || limit >= unique.length) return unique;
  const queues = new Map<string, T[]>();
  for (const item of unique) queues.set(item.label, [...(queues.get(item.label) ?? []), item]);
  const selected: T[] = [];
  const cursors = [...queues.values()].map((queue) => ({ queue, next: 0 }));
  while (selected.length < limit) {
    for (const cursor of cursors) {
      const item = cursor.queue[cursor.next];
      if (item === undefined || selected.length >= limit) continue;
      selected.push(item);
      cursor.next += 1;
    }
  }
  return selected;
}
