// Docs that cannot drift, flags: every flag a README/docs example (`emolabel <command> … --flag`) or
// flags table names exists in that command's --help, and every --help flag is documented for its
// command somewhere (an example or a flags table).
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from '../support/capture-io.js';
import { exampleMentions, helpCommands, helpFlags, readDocs, REPO_ROOT, tableMentions, type FlagMention } from '../support/doc-examples.js';

async function help(argv: string[]): Promise<string> {
  const io = captureIo(REPO_ROOT);
  const code = await runCli([...argv, '--help'], io);
  expect(code).toBe(0);
  return io.out();
}

describe('flags in README.md and docs/', () => {
  const docs = readDocs();
  let commands: string[] = [];
  const flagsOf = new Map<string, Set<string>>();
  let mentions: FlagMention[] = [];

  beforeAll(async () => {
    commands = helpCommands(await help([]));
    for (const command of commands) flagsOf.set(command, new Set(helpFlags(await help([command]))));
    mentions = docs.flatMap((doc) => [
      ...exampleMentions(doc).flatMap(({ file, line, command, flags }) => flags.map((flag) => ({ file, line, command, flag, where: 'example' as const }))),
      ...tableMentions(doc, commands),
    ]);
  });

  it('finds the commands, their flags and the documented ones', () => {
    expect(commands).toEqual(expect.arrayContaining(['annotate', 'eval', 'review', 'export', 'runs', 'dataset', 'bench', 'models']));
    expect(flagsOf.get('annotate')).toContain('--max-cost');
    expect(mentions.filter((mention) => mention.where === 'table').length).toBeGreaterThan(50);
    expect(mentions.filter((mention) => mention.where === 'example').length).toBeGreaterThan(50);
  });

  it('names only commands that exist in `emolabel <command>` examples', () => {
    const unknown = docs.flatMap(exampleMentions).filter(({ command }) => !commands.includes(command));
    expect(unknown.map(({ file, line, command }) => `${file}:${line}: emolabel ${command} is not a command (${commands.join(', ')})`)).toEqual([]);
  });

  it('documents only flags that the command has', () => {
    const stale = mentions.filter(({ command, flag }) => flagsOf.has(command) && !flagsOf.get(command)!.has(flag));
    expect(stale.map(({ file, line, command, flag, where }) => `${file}:${line}: ${flag} is not a flag of emolabel ${command} (in ${where === 'example' ? 'an example' : 'a flags table'})`)).toEqual([]);
  });

  it('documents every flag of every command', () => {
    const documented = new Set(mentions.map(({ command, flag }) => `${command} ${flag}`));
    const undocumented = [...flagsOf].flatMap(([command, flags]) => [...flags].filter((flag) => flag.startsWith('--') && !documented.has(`${command} ${flag}`)).map((flag) => `emolabel ${command} ${flag}`));
    expect(undocumented, 'add each to its command\'s flags table (or an example) in README.md or docs/').toEqual([]);
  });
});
