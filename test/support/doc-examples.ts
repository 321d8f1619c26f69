// Reads README.md and docs/*.md the way the docs tests need them: fenced code blocks (and whether
// `<!-- runnable -->` marks one), flags tables and which command each belongs to, and the flags of
// every `emolabel <command> …` example. The conventions are described in docs/architecture.md,
// "Where a change goes".
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface DocFile {
  readonly path: string;
  readonly lines: readonly string[];
}

export interface CodeBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly text: string;
  readonly runnable: boolean;
  /** The block right after this one (blank lines between allowed), if it is a ```console block. */
  readonly output?: string;
}

export interface FlagMention {
  readonly file: string;
  readonly line: number;
  readonly command: string;
  readonly flag: string;
  readonly where: 'example' | 'table';
}

export function readDocs(root = REPO_ROOT): DocFile[] {
  const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => join(root, 'docs', name));
  return [join(root, 'README.md'), ...docs].map((path) => ({ path: relative(root, path), lines: readFileSync(path, 'utf8').split('\n') }));
}

const RUNNABLE = /^<!--\s*runnable\s*-->$/;
const FLAGS_MARKER = /^<!--\s*flags:\s*(?:emolabel\s+)?([a-z-]+)\s*-->$/;

export function codeBlocks(doc: DocFile): CodeBlock[] {
  const raw: { line: number; lang: string; text: string; runnable: boolean; endLine: number }[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    const open = /^(\s*)```(\S*)/.exec(doc.lines[i]!);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < doc.lines.length && !/^\s*```\s*$/.test(doc.lines[j]!)) body.push(doc.lines[j++]!);
    let before = i - 1;
    while (before >= 0 && doc.lines[before]!.trim() === '') before--;
    raw.push({ line: i + 1, lang: open[2]!, text: body.join('\n'), runnable: before >= 0 && RUNNABLE.test(doc.lines[before]!.trim()), endLine: j });
    i = j;
  }
  return raw.map((block, index) => {
    const next = raw[index + 1];
    const between = next ? doc.lines.slice(block.endLine + 1, next.line - 1) : [];
    const output = next && next.lang === 'console' && between.every((line) => line.trim() === '') ? next.text : undefined;
    return { file: doc.path, line: block.line, lang: block.lang, text: block.text, runnable: block.runnable, ...(output === undefined ? {} : { output }) };
  });
}

const FLAG = /(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])/g;
const EXAMPLE = /(?:^|[\s`$(])emolabel\s+([a-z][a-z-]*)(.*)$/;

/** Flags of one `emolabel <command> …` command line, up to a comment or the next shell command. */
function exampleFlags(rest: string): string[] {
  const line = rest.split(/\s#|&&|;|\|\s|`/)[0]!;
  return [...line.matchAll(FLAG)].map((match) => match[1]!);
}

/** Every `emolabel <command> …` line in code blocks and inline code, with the flags it passes. */
export function exampleMentions(doc: DocFile): { file: string; line: number; command: string; flags: string[] }[] {
  const found: { file: string; line: number; command: string; flags: string[] }[] = [];
  const seen = (line: number, text: string) => {
    const match = EXAMPLE.exec(text);
    if (match) found.push({ file: doc.path, line, command: match[1]!, flags: exampleFlags(match[2]!) });
  };
  let fence: string | undefined;
  for (let i = 0; i < doc.lines.length; i++) {
    const line = doc.lines[i]!;
    const open = /^\s*```(\S*)/.exec(line);
    if (open) {
      fence = fence === undefined ? open[1]! : undefined;
      continue;
    }
    if (fence !== undefined) {
      if (!['sh', 'bash', 'console', 'shell', ''].includes(fence)) continue;
      let text = line.replace(/^\s*\$\s/, '');
      while (text.endsWith('\\') && i + 1 < doc.lines.length) text = text.slice(0, -1) + ' ' + doc.lines[++i]!;
      seen(i + 1, text);
    } else {
      for (const span of line.matchAll(/`([^`]+)`/g)) seen(i + 1, span[1]!);
    }
  }
  return found;
}

/** Flags named in the first cell of flags tables: tables marked `<!-- flags: <command> -->`, or
 * else under the nearest heading that names `emolabel <command>`. */
export function tableMentions(doc: DocFile, commands: readonly string[]): FlagMention[] {
  const found: FlagMention[] = [];
  let headingCommand: string | undefined;
  let tableCommand: string | undefined;
  let marker: string | undefined;
  let fence = false;
  for (let i = 0; i < doc.lines.length; i++) {
    const line = doc.lines[i]!.trim();
    if (line.startsWith('```')) fence = !fence;
    if (fence) continue;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      const named = /emolabel\s+([a-z][a-z-]*)/.exec(heading[1]!)?.[1];
      headingCommand = named && commands.includes(named) ? named : undefined;
      continue;
    }
    const flagsMarker = FLAGS_MARKER.exec(line);
    if (flagsMarker) {
      marker = flagsMarker[1];
      continue;
    }
    if (!line.startsWith('|')) {
      if (line !== '') marker = undefined;
      tableCommand = undefined;
      continue;
    }
    tableCommand ??= marker ?? headingCommand;
    marker = undefined;
    if (!tableCommand || /^\|\s*:?-/.test(line)) continue;
    const firstCell = line.split(/(?<!\\)\|/)[1] ?? '';
    for (const match of firstCell.matchAll(FLAG)) found.push({ file: doc.path, line: i + 1, command: tableCommand, flag: match[1]!, where: 'table' });
  }
  return found;
}

/** The options of one command's `--help`: long and short names, `-h/--help` left out. */
export function helpFlags(help: string): string[] {
  const flags: string[] = [];
  for (const line of help.split('\n')) {
    const option = /^ {2}((?:-[a-zA-Z], )?--[a-z][a-z0-9-]*)/.exec(line);
    if (!option) continue;
    for (const name of option[1]!.split(', ')) if (name !== '-h' && name !== '--help') flags.push(name);
  }
  return flags;
}

/** The subcommands listed by the program's `--help`. */
export function helpCommands(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((match) => match[1]!).filter((name) => name !== 'help');
}
