import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { ternary } from '../../src/taxonomy/taxonomy.js';
import { startFakeOpenAiServer } from './fake-openai-server.js';

/**
 * Whether the LLM annotator (llm-annotator.ts) builds its requests with `renderPrompt` of
 * prompt-request.ts, so a `schema: v2` prompt sends its own schema and the annotator declares
 * `maxImageSide`. Asked of the real annotator with one request to a fake server. Until it does,
 * the end-to-end checks of v2 through providers are skipped with a warning naming the change.
 */
export async function llmAnnotatorRendersPrompts(): Promise<boolean> {
  const server = await startFakeOpenAiServer();
  try {
    const annotator = createAnnotator('openai:gpt-4o-mini', { baseUrl: server.url, env: { OPENAI_API_KEY: 'sk-probe' }, prompt: 'direct@v2' });
    await annotator.annotate({ images: [{ data: Buffer.alloc(16 * 16 * 3, 128), width: 16, height: 16 }], taxonomy: ternary });
    const body = server.requests[0]?.body as { response_format?: { json_schema?: { schema?: { properties?: object } } } } | undefined;
    const wired = Boolean(body?.response_format?.json_schema?.schema?.properties && 'abstain' in body.response_format.json_schema.schema.properties);
    return wired && annotator.capabilities.maxImageSide === 512;
  } finally {
    await server.close();
  }
}

/** The warning printed when {@link llmAnnotatorRendersPrompts} is false. */
export const PROMPT_WIRING_MISSING =
  'llm-annotator.ts does not build requests with renderPrompt (prompt-request.ts) and set capabilities.maxImageSide yet; ' +
  'v2 prompts are sent with the v1 schema until it does';
