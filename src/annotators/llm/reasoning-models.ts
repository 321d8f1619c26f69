import type { ReasoningEffort } from './llm-request.js';

/**
 * Model families that think before answering by default, so a one-word label needs a low effort
 * and room in the output budget: OpenAI's o-series and GPT-5 onwards, Gemini 2.5 and 3. Only the
 * defaults depend on this list; a provider that rejects the effort for a model gets it left out
 * (see llm-exchange.ts), and `reasoningEffort` / `maxOutputTokens` set by the user always win.
 */
const REASONING_FAMILIES: readonly RegExp[] = [/^openai:(o\d|gpt-[5-9])/, /^google:gemini-(2\.5|[3-9])/];

/**
 * Tokens a reasoning model is expected to think for a short answer, by effort: `medium` from
 * published reports (1,152-1,408, providers-2026.md); `low` and `high` are unmeasured guesses.
 */
const EXPECTED_REASONING_TOKENS: Readonly<Record<ReasoningEffort, number>> = { none: 0, minimal: 0, low: 400, medium: 1300, high: 4000 };

/** The output budget and reasoning effort a model gets when the settings say nothing, and the reasoning the dry run expects. */
export function reasoningDefaults(id: string, settings: { maxOutputTokens?: number; reasoningEffort?: ReasoningEffort }): {
  maxOutputTokens: number;
  reasoningEffort?: ReasoningEffort;
  expectedReasoningTokens: number;
} {
  const reasons = REASONING_FAMILIES.some((family) => family.test(id));
  const reasoningEffort = settings.reasoningEffort ?? (reasons ? 'low' : undefined);
  return {
    maxOutputTokens: settings.maxOutputTokens ?? (reasons ? 4096 : 1024),
    ...(reasoningEffort === undefined ? {} : { reasoningEffort }),
    expectedReasoningTokens: reasons && reasoningEffort ? EXPECTED_REASONING_TOKENS[reasoningEffort] : 0,
  };
}
