import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmolabelError } from '../../errors.js';

/** What a prompt asks for: the paper's direct question, action units first, or a local model's hint. */
export type PromptMode = 'direct' | 'au-cot' | 'hint' | 'repair';

/** The prompt modes `--prompt` takes by name. */
export const PROMPT_MODES: readonly PromptMode[] = ['direct', 'au-cot', 'hint'];

/**
 * A parsed prompt file (`prompts/direct@v2.md`): front matter (`mode`, `schema`, `description`,
 * `expectedOutputTokens`), then `## system`, `## user`, `## frame label`.
 */
export interface PromptFile {
  /** `direct@v2` (the file name), or `name@sha-1a2b3c4d` for a custom file without a version in its name. */
  readonly version: string;
  readonly mode: PromptMode;
  /**
   * The answer schema the prompt is written for (front matter `schema: v2`): `1`, the fields of the
   * `@v1` prompts; `2`, with `abstain`, per-frame labels, the peak frame and `hintFollowed`. A file
   * that does not say is `1`, so custom prompts written for v1 keep their schema.
   * @default 1
   */
  readonly schema: 1 | 2;
  readonly description: string;
  /** Typical answer length, for cost estimates. */
  readonly expectedOutputTokens: number;
  readonly system: string;
  readonly user: string;
  /** Text placed before each image of a multi-image request. */
  readonly frameLabel: string;
  readonly path: string;
}

/**
 * The `prompts/` folder shipped with the package. This file sits three folders deep under the
 * package root both as `src/annotators/llm/*.ts` and as `dist/annotators/llm/*.js`.
 */
export function promptsDirectory(): string {
  return fileURLToPath(new URL('../../../prompts/', import.meta.url));
}

function parsePromptFile(text: string, path: string, version: string): PromptFile {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'));
  if (!match) throw new EmolabelError('invalid_option', `Prompt file ${path} must start with front matter between --- lines (mode, description, expectedOutputTokens).`, { path });
  const front = Object.fromEntries(
    (match[1] ?? '').split('\n').flatMap((line) => {
      const separator = line.indexOf(':');
      return separator < 0 ? [] : [[line.slice(0, separator).trim(), line.slice(separator + 1).trim()]];
    }),
  );
  const sections = new Map<string, string>();
  let current: string | undefined;
  for (const line of (match[2] ?? '').split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) {
      current = (heading[1] ?? '').trim().toLowerCase();
      sections.set(current, '');
    } else if (current !== undefined) {
      sections.set(current, `${sections.get(current)}${line}\n`);
    }
  }
  const mode = front.mode as PromptMode;
  if (![...PROMPT_MODES, 'repair'].includes(mode)) {
    throw new EmolabelError('invalid_option', `Prompt file ${path}: mode must be one of ${PROMPT_MODES.join(', ')}, got "${front.mode ?? ''}".`, { path });
  }
  const schema = front.schema === undefined || front.schema === '' ? 1 : Number(front.schema.replace(/^v/, ''));
  if (schema !== 1 && schema !== 2) {
    throw new EmolabelError('invalid_option', `Prompt file ${path}: schema must be v1 or v2, got "${front.schema ?? ''}".`, { path });
  }
  const system = sections.get('system')?.trim();
  const user = sections.get('user')?.trim();
  if (!system || !user) throw new EmolabelError('invalid_option', `Prompt file ${path} needs a "## system" and a "## user" section.`, { path });
  return {
    version,
    mode,
    schema,
    description: front.description ?? '',
    expectedOutputTokens: Number(front.expectedOutputTokens) || 100,
    system,
    user,
    frameLabel: sections.get('frame label')?.trim() ?? 'Frame {{index}} of {{frameCount}}:',
    path,
  };
}

const cache = new Map<string, PromptFile>();

function latestVersion(mode: string, directory: string): string | undefined {
  const versions = readdirSync(directory)
    .map((file) => new RegExp(`^${mode.replace(/[^\w-]/g, '')}@v(\\d+)\\.md$`).exec(file))
    .flatMap((match) => (match ? [Number(match[1])] : []))
    .sort((a, b) => b - a);
  return versions[0] === undefined ? undefined : `${mode}@v${versions[0]}`;
}

/**
 * Loads a prompt by mode (`direct`: its newest version), by version (`direct@v1`), or from a path
 * to a `.md` file of the same format. Unknown names fail listing the prompts that exist.
 * @example loadPrompt('au-cot').version // 'au-cot@v2'
 * @example loadPrompt('au-cot@v1').schema // 1
 */
export function loadPrompt(nameOrPath: string, directory = promptsDirectory()): PromptFile {
  if (/^repair(@|$)/.test(nameOrPath)) {
    throw new EmolabelError('invalid_option', `"${nameOrPath}" is the prompt emolabel uses to repair unreadable answers, not one to label with. Use one of ${PROMPT_MODES.join(', ')}.`);
  }
  return loadPromptFile(nameOrPath, directory);
}

/** The prompt that asks a model to restate an unreadable answer in the schema (one repair request). */
export function loadRepairPrompt(directory = promptsDirectory(), schema: 1 | 2 = 1): PromptFile {
  // Each answer schema has its repair prompt: v1 prompts keep theirs unchanged.
  return loadPromptFile(`repair@v${schema}`, directory);
}

function loadPromptFile(nameOrPath: string, directory: string): PromptFile {
  // A user's file is read each time (it may be edited between runs); the shipped ones never change.
  const userFile = nameOrPath.endsWith('.md') || nameOrPath.includes('/');
  const cached = userFile ? undefined : cache.get(`${directory}|${nameOrPath}`);
  if (cached) return cached;
  let path: string;
  let version: string;
  if (nameOrPath.endsWith('.md') || nameOrPath.includes('/')) {
    path = nameOrPath;
    if (!existsSync(path)) throw new EmolabelError('invalid_option', `Prompt file ${path} does not exist; pass a mode (${PROMPT_MODES.join(', ')}) or a path to a .md prompt.`, { path });
    const name = basename(path, '.md');
    version = name.includes('@') ? name : `${name}@sha-${createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 8)}`;
  } else {
    const resolved = nameOrPath.includes('@') ? nameOrPath : latestVersion(nameOrPath, directory);
    path = join(directory, `${resolved}.md`);
    if (resolved === undefined || !existsSync(path)) {
      const known = readdirSync(directory).filter((file) => file.endsWith('.md') && !file.startsWith('repair@')).map((file) => file.slice(0, -3));
      throw new EmolabelError('invalid_option', `Unknown prompt "${nameOrPath}". Must be one of [${PROMPT_MODES.join(', ')}], a version of them [${known.join(', ')}], or a path to a .md prompt file.`);
    }
    version = resolved;
  }
  const prompt = parsePromptFile(readFileSync(path, 'utf8'), path, version);
  if (!userFile) cache.set(`${directory}|${nameOrPath}`, prompt);
  return prompt;
}
