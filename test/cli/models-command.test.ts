import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelListingJson } from '../../src/cli/commands/models-action.js';
import { runCli } from '../../src/cli/main.js';
import { GENAI_PRICES_RELEASE } from '../../src/annotators/cost/genai-prices-lookup.js';
import { captureIo } from '../support/capture-io.js';
import { makeTempDir } from '../support/make-clips.js';

const temp = makeTempDir('emolabel-models-cli-');
afterAll(temp.cleanup);

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(temp.dir, env);
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

const listed = (out: string) => JSON.parse(out) as ModelListingJson[];

describe('emolabel models', () => {
  it('lists the current models it can price: $ per million, cached and batch, the image rule, where each price comes from and its date', async () => {
    const { code, out, err } = await run(['models']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`genai-prices ${GENAI_PRICES_RELEASE.version} (${GENAI_PRICES_RELEASE.published})`);
    expect(out).toMatch(/\nopenai:gpt-4o-mini +\$0\.15 +\$0\.60 +\$0\.075 +\$0\.075\/\$0\.30 +tiles 512 px: 2,833 \+ 5,667 a tile; low 2,833 +genai-prices 0\.1\.8 +2026-09-23 +current\n/);
    expect(out).toMatch(/\nopenai:gpt-5\.4-mini +\$0\.75 +\$4\.50 .*patches 32 px × 1\.2, max 1536/);
    expect(out).toMatch(/\nanthropic:claude-haiku-5-5 +\$0\.10 +\$0\.50 +- +\$0\.05\/\$0\.25 +pixels w×h\/750, fit 1568 px \/ 1\.15 MP +bundled table +2026-10 +current\n/);
    expect(out).toMatch(/\ngoogle:gemini-3\.1-flash-lite +\$0\.25 +\$1\.50 .*per image: low 280, medium 560, high 1,120; unset 1,120/);
    // Retired and non-labelling models are left out unless --all.
    expect(out).not.toMatch(/gemini-2\.0-flash|claude-sonnet-4-5|text-embedding|whisper/);
    const all = await run(['models', '--all']);
    expect(all.out).toMatch(/\nanthropic:claude-sonnet-4-5\*? .* retired 2026-11-30\n/);
    expect(all.out).toMatch(/\ngoogle:gemini-2\.0-flash .* retired 2026-06-01\n/);
  });

  it('--provider --json: one provider, unknown prices as null, batch at half price', async () => {
    const { code, out } = await run(['models', '--provider', 'google', '--json']);
    expect(code).toBe(0);
    const models = listed(out);
    expect(models.every((model) => model.provider === 'google')).toBe(true);
    expect(models.find((model) => model.id === 'google:gemini-3.1-flash-lite')).toMatchObject({
      inputPerMillion: 0.25, outputPerMillion: 1.5, cachedInputPerMillion: 0.025, batchInputPerMillion: 0.125, batchOutputPerMillion: 0.75,
      imageTokens: { rule: 'media-resolution', lowTokens: 280, highTokens: 1120 }, source: 'genai-prices', checked: GENAI_PRICES_RELEASE.published, status: 'current',
    });
    expect(models.find((model) => model.id === 'google:gemini-3.6-flash')).toMatchObject({ changesOn: '2027-01-01' });
    const anthropic = listed((await run(['models', '--provider', 'anthropic', '--json'])).out);
    expect(anthropic.find((model) => model.id === 'anthropic:claude-haiku-5-5')).toMatchObject({ cachedInputPerMillion: null, source: 'bundled' });
  });

  it("--price-table (or EMOLABEL_PRICE_TABLE): the user's prices win and are listed as theirs", async () => {
    writeFileSync(join(temp.dir, 'mine.json'), JSON.stringify({
      checked: '2026-11-30',
      models: {
        'openai:gpt-4o-mini': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
        'openai-compatible:qwen2.5vl:7b': { inputPerMillion: 0, outputPerMillion: 0, imageTokens: { rule: 'flat', tokens: 300 } },
      },
    }));
    for (const [args, env] of [[['--price-table', 'mine.json'], {}], [[], { EMOLABEL_PRICE_TABLE: 'mine.json' }]] as const) {
      const { code, out } = await run(['models', '--json', ...args], env);
      expect(code).toBe(0);
      const models = listed(out);
      expect(models.find((model) => model.id === 'openai:gpt-4o-mini')).toMatchObject({ inputPerMillion: 0.1, source: 'user', checked: '2026-11-30' });
      expect(models.find((model) => model.id === 'openai-compatible:qwen2.5vl:7b')).toMatchObject({ inputPerMillion: 0, imageRule: 'flat 300 an image (a guess)', source: 'user' });
    }
    const text = await run(['models', '--provider', 'openai', '--price-table', 'mine.json']);
    expect(text.out).toMatch(/\nopenai:gpt-4o-mini +\$0\.10 +\$0\.40 .*your table \(.*mine\.json\) +2026-11-30 +current\n/);
  });

  it('an unknown provider is a usage error listing the known ones; OpenAI-compatible servers have no price until given', async () => {
    const unknown = await run(['models', '--provider', 'openia']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown provider "openia" for --provider: expected one of .*openai, anthropic, google, openai-compatible/);
    const compatible = await run(['models', '--provider', 'openai-compatible']);
    expect(compatible.code).toBe(0);
    expect(compatible.out).toMatch(/no priced models for openai-compatible; give your server's prices with --price-table/);
  });
});
