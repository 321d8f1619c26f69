import { afterAll, beforeAll } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { runAnnotatorContract, type WireReader } from '../../src/testing/annotator-contract.js';
import { startFakeAnthropicServer } from '../../src/testing/fake-anthropic-server.js';
import { type FakeServer, schemaLabels } from '../../src/testing/fake-http-server.js';
import { startFakeGoogleServer } from '../../src/testing/fake-google-server.js';
import { startFakeOpenAiServer } from '../../src/testing/fake-openai-server.js';

type Json = Record<string, any>;

const textOf = (parts: unknown): string =>
  (Array.isArray(parts) ? parts : []).map((part: Json) => (typeof part === 'string' ? part : (part.text ?? ''))).join('\n');

const openAiWire: WireReader = {
  temperature: (body) => (body as Json).temperature,
  maxOutputTokens: (body) => (body as Json).max_completion_tokens ?? (body as Json).max_tokens,
  schemaLabels: (body) => schemaLabels((body as Json).response_format?.json_schema?.schema),
  text: (body) => ((body as Json).messages ?? []).map((message: Json) => (typeof message.content === 'string' ? message.content : textOf(message.content))).join('\n'),
};

const anthropicWire: WireReader = {
  temperature: (body) => (body as Json).temperature,
  maxOutputTokens: (body) => (body as Json).max_tokens,
  schemaLabels: (body) => schemaLabels((body as Json).tools?.[0]?.input_schema),
  text: (body) => [(body as Json).system ?? '', ...((body as Json).messages ?? []).map((message: Json) => textOf(message.content))].join('\n'),
};

const googleWire: WireReader = {
  temperature: (body) => (body as Json).generationConfig?.temperature,
  maxOutputTokens: (body) => (body as Json).generationConfig?.maxOutputTokens,
  schemaLabels: (body) => schemaLabels((body as Json).generationConfig?.responseJsonSchema),
  text: (body) => [textOf((body as Json).systemInstruction?.parts), ...((body as Json).contents ?? []).map((content: Json) => textOf(content.parts))].join('\n'),
};

// The contract runs on the v1 prompt, pinned: its snapshots are the request bodies emolabel sent
// before prompts v2, so they also hold v1 unchanged, byte for byte. v2 bodies: prompts-v2.test.ts.
const V1 = 'direct@v1';

const servers: Record<string, FakeServer & { url: string }> = {};
const keys = { openai: 'sk-proj-contract-SECRET-0123456789', compatible: 'local-contract-SECRET-0123', anthropic: 'sk-ant-contract-SECRET-0123456789', google: 'AIzaContract-SECRET-0123456789' };

beforeAll(async () => {
  servers.openai = await startFakeOpenAiServer({ apiKey: keys.openai });
  servers.compatible = await startFakeOpenAiServer({ apiKey: keys.compatible });
  servers.anthropic = await startFakeAnthropicServer({ apiKey: keys.anthropic });
  servers.google = await startFakeGoogleServer({ apiKey: keys.google });
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

runAnnotatorContract({
  name: 'local',
  create: () => createAnnotator('local'),
  skip: { abort: 'the local model runs in-process; the pipeline checks the signal between items', network: 'the local model makes no request' },
});

runAnnotatorContract({
  name: 'openai:gpt-4o-mini',
  create: (settings) => createAnnotator('openai:gpt-4o-mini', { baseUrl: servers.openai!.url, env: { OPENAI_API_KEY: keys.openai }, prompt: V1, ...settings }),
  network: { server: () => servers.openai!, keyVariable: 'OPENAI_API_KEY', key: keys.openai, wire: openAiWire },
});

runAnnotatorContract({
  name: 'openai-compatible:qwen2.5vl:7b',
  create: (settings) =>
    createAnnotator('openai-compatible:qwen2.5vl:7b', { baseUrl: servers.compatible!.url, env: { OPENAI_COMPATIBLE_API_KEY: keys.compatible }, prompt: V1, ...settings }),
  network: { server: () => servers.compatible!, keyVariable: 'OPENAI_COMPATIBLE_API_KEY', key: keys.compatible, wire: openAiWire },
});

runAnnotatorContract({
  name: 'anthropic:claude-haiku-4-5',
  create: (settings) => createAnnotator('anthropic:claude-haiku-4-5', { baseUrl: servers.anthropic!.url, env: { ANTHROPIC_API_KEY: keys.anthropic }, prompt: V1, ...settings }),
  network: { server: () => servers.anthropic!, keyVariable: 'ANTHROPIC_API_KEY', key: keys.anthropic, wire: anthropicWire },
});

runAnnotatorContract({
  name: 'google:gemini-2.5-flash',
  create: (settings) => createAnnotator('google:gemini-2.5-flash', { baseUrl: servers.google!.url, env: { GEMINI_API_KEY: keys.google }, prompt: V1, ...settings }),
  network: { server: () => servers.google!, keyVariable: 'GEMINI_API_KEY', key: keys.google, wire: googleWire },
});
