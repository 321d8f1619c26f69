import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Dataset, DatasetItem, DatasetLoader, DatasetLoadOptions } from './dataset-loader.js';
import { EmolabelError } from '../errors.js';
import { normaliseBasicLabel } from '../taxonomy/basic-labels.js';

/** One line of a FERV39k split list. */
export interface Ferv39kEntry {
  readonly scene: string;
  readonly emotion: string;
  readonly clip: string;
  /** The clip path as the list writes it. */
  readonly listedPath: string;
  /** 1-based line number in the list. */
  readonly line: number;
}

/**
 * Parses a FERV39k split list. Each line starts with a clip path ending in `<Scene>/<Emotion>/<clip>`,
 * followed by either the frame count and class index (`…/DailyLife/Happy/0042 16 3`) or the
 * emotion name (`DailyLife/Happy/0042 Happy`). The label is the `<Emotion>` folder; a trailing
 * emotion name that disagrees with it is an error. A header line, if any, is skipped.
 */
export function parseFerv39kList(text: string, file: string): Ferv39kEntry[] {
  const entries: Ferv39kEntry[] = [];
  text.split(/\r?\n/).forEach((rawLine, position) => {
    const line = position + 1;
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [listedPath = '', ...rest] = trimmed.split(/[\s,]+/);
    const segments = listedPath.replace(/\\/g, '/').replace(/\/+$/, '').split('/');
    const [scene, emotion, clip] = segments.slice(-3);
    const looksLikeClip = segments.length >= 3 && scene && emotion && clip && normaliseBasicLabel(emotion) !== undefined;
    if (!looksLikeClip) {
      if (entries.length === 0 && position === 0) return;
      throw new EmolabelError(
        'invalid_input',
        `Line ${line} of the FERV39k list ${file} is "${trimmed.slice(0, 80)}"; expected "<…/Scene/Emotion/clip> <frames> <index>" with Emotion one of ` +
          'Angry, Disgust, Fear, Happy, Neutral, Sad, Surprise.',
        { path: file },
      );
    }
    const named = rest.find((token) => !/^\d+$/.test(token));
    if (named !== undefined && normaliseBasicLabel(named) !== normaliseBasicLabel(emotion)) {
      throw new EmolabelError('invalid_input', `Line ${line} of the FERV39k list ${file} puts clip ${listedPath} in folder ${emotion} but labels it ${named}; fix the line.`, {
        path: file,
      });
    }
    entries.push({ scene, emotion, clip, listedPath, line });
  });
  return entries;
}

function clipPath(entry: Ferv39kEntry, listFolder: string, framesRoot: string | undefined): string {
  if (framesRoot !== undefined) return join(framesRoot, entry.scene, entry.emotion, entry.clip);
  return isAbsolute(entry.listedPath) ? entry.listedPath : resolve(listFolder, entry.listedPath);
}

/**
 * `ferv39k`: an official split list (`train_All.txt`, `test_All.txt` or a scene's list). Clips are frame
 * folders at `<framesRoot>/<Scene>/<Emotion>/<clip>`; without `framesRoot`, the listed path as is
 * (relative paths from the list's folder). The media need not be on disk to read the labels.
 */
export const ferv39kLoader: DatasetLoader = {
  kind: 'ferv39k',
  description: 'a FERV39k split list: lines "…/<Scene>/<Emotion>/<clip> <frames> <index>"',
  options: ['scene', 'framesRoot'],
  async load(path: string, options: DatasetLoadOptions = {}): Promise<Dataset> {
    const file = resolve(path);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new EmolabelError('invalid_input', `Cannot read the FERV39k list ${file}: ${(error as Error).message}. Pass the path of a split list such as test_All.txt.`, {
        cause: error,
        path: file,
      });
    }
    let entries = parseFerv39kList(text, file);
    if (options.scene !== undefined) {
      const wanted = options.scene.toLowerCase();
      const scenes = [...new Set(entries.map((entry) => entry.scene))].sort();
      entries = entries.filter((entry) => entry.scene.toLowerCase() === wanted);
      if (entries.length === 0) {
        throw new EmolabelError('invalid_option', `Scene "${options.scene}" is not in ${file}; its scenes are ${scenes.join(', ') || '(none)'}.`, { path: file });
      }
    }
    const framesRoot = options.framesRoot === undefined ? undefined : resolve(options.framesRoot);
    const items: DatasetItem[] = entries.map((entry) => ({
      id: `${entry.scene}/${entry.emotion}/${entry.clip}`,
      path: clipPath(entry, dirname(file), framesRoot),
      kind: 'frames',
      label: entry.emotion,
      scene: entry.scene,
    }));
    return { kind: 'ferv39k', source: file, items, ...(framesRoot === undefined ? {} : { mediaRoot: framesRoot }) };
  },
};
