import type { Annotation, AnnotationRequest, Usage } from '../annotator.js';
import { annotationFromFields } from './annotation-from-fields.js';
import type { AnnotationSchema } from './annotation-schema.js';
import type { DroppableParameter, LlmReply, LlmRequest, LlmTransport, ReasoningEffort } from './llm-request.js';
import { parseReply } from './parse-reply.js';
import type { PromptFile } from './prompt-file.js';
import { renderTemplate } from './render-template.js';
import { describeError, EmolabelError } from '../../errors.js';

/** What one reply gives on its own: an answer, or what is wrong with it (for a repair). */
export type ReadReply = (reply: LlmReply, warnings: readonly string[]) => Annotation | { readonly problem: string; readonly rawText?: string };

/** Everything an exchange with the provider for one request needs. */
export interface ExchangeContext {
  /** `openai:gpt-4o-mini`, for messages. */
  readonly id: string;
  readonly transport: LlmTransport;
  readonly schema: AnnotationSchema;
  /** The taxonomy's labels, for the repair prompt. */
  readonly labels: readonly string[];
  readonly repairPrompt: PromptFile;
  readonly actionUnits: boolean;
  readonly readReply: ReadReply;
  /** Dollars of one reply's usage, at the batch API's rate when a batch answered it. */
  readonly priceOf: (usage: Usage, options?: { readonly batch?: boolean }) => number | undefined;
  readonly promptVersion: string;
  /** Parameters this provider rejected for this model: left out of this and every later request. */
  readonly dropped: Set<DroppableParameter>;
  /** Warnings of this answer (appended to). */
  readonly warnings: string[];
}

/** The most output tokens a second request for a cut-off answer may ask for. */
const MAX_OUTPUT_CAP = 32_768;
const LOWER_EFFORT: Readonly<Record<ReasoningEffort, ReasoningEffort>> = { high: 'medium', medium: 'low', low: 'minimal', minimal: 'minimal', none: 'none' };

function addUsage(total: Usage, more: Usage): Usage {
  const sum = (a?: number, b?: number) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  const reasoningTokens = sum(total.reasoningTokens, more.reasoningTokens);
  const cachedInputTokens = sum(total.cachedInputTokens, more.cachedInputTokens);
  return {
    inputTokens: total.inputTokens + more.inputTokens, outputTokens: total.outputTokens + more.outputTokens,
    ...(reasoningTokens === undefined ? {} : { reasoningTokens }), ...(cachedInputTokens === undefined ? {} : { cachedInputTokens }),
  };
}

function replyCost(context: ExchangeContext, reply: LlmReply): number | undefined {
  return context.priceOf(reply.usage, reply.batch ? { batch: true } : undefined);
}

/** An unknown part makes the whole unknown, never a smaller number. */
function addCost(total: number | undefined, more: number | undefined): number | undefined {
  return total === undefined || more === undefined ? undefined : total + more;
}

/** Whether a reply spent its output budget without an answer: cut off, or empty (a reasoning model that only thought). */
function starved(reply: LlmReply): boolean {
  if (reply.refusal !== undefined) return false;
  return reply.truncated === true || (reply.value === undefined && (reply.text ?? '').trim() === '');
}

async function sendOnce(transport: LlmTransport, request: LlmRequest, signal: AbortSignal | undefined, id: string): Promise<LlmReply> {
  try {
    // No signal of the caller: one that never aborts (the SDKs' own timeout remains the safety net).
    return await transport.send(request, signal ?? new AbortController().signal);
  } catch (error) {
    if (signal?.aborted) {
      // A timeout or stop of the resilience middleware comes as the signal's reason: keep it.
      if (EmolabelError.isInstance(signal.reason)) throw signal.reason;
      throw new EmolabelError('aborted', `The request to ${id} was aborted.`, { cause: error });
    }
    if (EmolabelError.isInstance(error)) throw error;
    throw new EmolabelError('provider_error', `The request to ${id} failed: ${describeError(error)}`, { cause: error });
  }
}

/** `request` without the parameters the provider rejected. */
function withoutDropped(request: LlmRequest, dropped: ReadonlySet<DroppableParameter>): LlmRequest {
  const { temperature, reasoningEffort, ...rest } = request;
  return {
    ...rest,
    ...(temperature === undefined || dropped.has('temperature') ? {} : { temperature }),
    ...(reasoningEffort === undefined || dropped.has('reasoningEffort') ? {} : { reasoningEffort }),
  };
}

/**
 * Sends `request`; when the provider answers 400 naming a parameter it does not take for this model
 * (`temperature`, a reasoning effort), leaves it out, says so in the warnings, and sends again, once
 * per parameter; it stays out for the rest of the run.
 */
async function sendAdapting(context: ExchangeContext, request: LlmRequest, call: AnnotationRequest): Promise<LlmReply> {
  for (;;) {
    const sent = withoutDropped(request, context.dropped);
    try {
      return await sendOnce(context.transport, sent, call.signal, context.id);
    } catch (error) {
      const parameter = EmolabelError.isInstance(error) ? error.rejectedParameter : undefined;
      const droppable = parameter === 'temperature' || parameter === 'reasoningEffort' ? parameter : undefined;
      if (droppable === undefined || !(droppable in sent) || context.dropped.has(droppable)) throw error;
      context.dropped.add(droppable);
      context.warnings.push(`${context.id} rejected \`${droppable}\` (HTTP 400); sent without it for the rest of the run`);
      await call.beforeExtraRequest?.(call.signal);
    }
  }
}

/**
 * One answer from the provider for `request`:
 * - a cut-off or empty answer (the output budget spent, often on reasoning) is never repaired
 *   from text: it is asked again once, with the images, a four times larger output budget and a
 *   lower reasoning effort; if that is cut off too, the answer is an `error` naming the budget;
 * - an answer that does not match the schema is repaired once by a text-only request; a repaired
 *   answer is marked `repaired` (and is not cached as a plain answer).
 */
export async function exchange(context: ExchangeContext, request: LlmRequest, call: AnnotationRequest): Promise<Annotation> {
  const { id, warnings } = context;
  let reply = await sendAdapting(context, request, call);
  let usage = reply.usage;
  // Each reply at its own rate (a batch answer and an online repair of it cost differently).
  let costUsd = replyCost(context, reply);
  const common = () => ({ usage, costUsd, promptVersion: context.promptVersion, warnings });
  if (starved(reply)) {
    const budget = request.maxOutputTokens;
    const larger: LlmRequest = {
      ...request, maxOutputTokens: Math.min(MAX_OUTPUT_CAP, budget * 4),
      ...(request.reasoningEffort === undefined ? {} : { reasoningEffort: LOWER_EFFORT[request.reasoningEffort] }),
    };
    await call.beforeExtraRequest?.(call.signal);
    const first = reply;
    reply = await sendAdapting(context, larger, call);
    usage = addUsage(first.usage, reply.usage);
    costUsd = addCost(costUsd, replyCost(context, reply));
    if (starved(reply)) {
      const thinking = usage.reasoningTokens ? `, ${usage.reasoningTokens} of them reasoning` : '';
      return {
        ...common(), status: 'error', rawText: reply.text,
        error: `${id} spent its whole output budget without an answer (${budget}, then ${larger.maxOutputTokens} tokens; ${usage.outputTokens} output tokens in all${thinking}). Raise \`maxOutputTokens\` or lower \`reasoningEffort\`.`,
      };
    }
    warnings.push(`${id} was cut off at ${budget} output tokens (finish reason ${first.finishReason ?? 'none'}); answered on a second request with ${larger.maxOutputTokens}`);
  }
  const read = context.readReply(reply, warnings);
  if ('status' in read) return { ...read, usage, costUsd };

  const repairValues = { labels: context.labels.join(', '), actionUnits: context.actionUnits, problem: read.problem, previousAnswer: read.rawText ?? '' };
  const repairRequest: LlmRequest = {
    ...request,
    system: renderTemplate(context.repairPrompt.system, repairValues, context.repairPrompt.path),
    parts: [{ kind: 'text', text: renderTemplate(context.repairPrompt.user, repairValues, context.repairPrompt.path) }],
  };
  await call.beforeExtraRequest?.(call.signal);
  const second = await sendAdapting(context, repairRequest, call);
  usage = addUsage(usage, second.usage);
  costUsd = addCost(costUsd, replyCost(context, second));
  const repaired = second.refusal === undefined ? parseReply(second, context.schema) : { kind: 'refused' as const, text: second.refusal };
  const repairText = second.refusal ?? second.text ?? (second.value === undefined ? '' : JSON.stringify(second.value));
  if (repaired.kind === 'ok') {
    warnings.push(`first answer unusable (${read.problem}); repaired with one more request`);
    // Two replies made this answer: no single provider response to read again from the cache.
    return { ...annotationFromFields(repaired.fields, { ...common(), rawText: repairText }), repaired: true };
  }
  const secondProblem = repaired.kind === 'invalid' ? repaired.problem : 'the repair request was declined';
  return {
    ...common(),
    status: 'error',
    rawText: `${read.rawText ?? ''}\n--- repair attempt ---\n${repairText}`,
    error: `${id}'s answer did not match the schema (${read.problem}), nor after one repair attempt (${secondProblem}).`,
  };
}
