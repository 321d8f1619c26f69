import { EmolabelError } from '../errors.js';

/** One `--path-map FROM=TO`: paths under `from` on the coordinator are under `to` on this worker. */
export interface PathMapping {
  readonly from: string;
  readonly to: string;
}

/** Parses `FROM=TO` (both absolute), as `--path-map /data=/mnt/data` gives it. */
export function parsePathMapping(text: string): PathMapping {
  const at = text.indexOf('=');
  const from = text.slice(0, at).replace(/\/+$/, '');
  const to = text.slice(at + 1).replace(/\/+$/, '');
  if (at <= 0 || !from.startsWith('/') || !to.startsWith('/')) {
    throw new EmolabelError('invalid_option', `Expected \`pathMap\` to be FROM=TO with two absolute paths (e.g. /data=/mnt/data), got \`${text}\`.`);
  }
  return { from, to };
}

/** `path` as this machine sees it: the first mapping whose `from` is the path or a folder above it, applied; else as given. */
export function mapPath(path: string, mappings: readonly PathMapping[]): string {
  for (const { from, to } of mappings) {
    if (path === from) return to;
    if (path.startsWith(`${from}/`)) return `${to}${path.slice(from.length)}`;
  }
  return path;
}
