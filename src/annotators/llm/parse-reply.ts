import type { AnnotationFields, AnnotationSchema } from './annotation-schema.js';
import { looksLikeRefusal } from './detect-refusal.js';

/** What a provider's answer turned out to be. */
export type ParsedReply =
  | { readonly kind: 'ok'; readonly fields: AnnotationFields }
  | { readonly kind: 'refused'; readonly text: string }
  | { readonly kind: 'invalid'; readonly problem: string };

/** The outermost `{…}` of a text, without Markdown code fences around it. */
function extractJsonText(text: string): string | undefined {
  const unfenced = text.replace(/```(?:json)?/gi, '');
  const start = unfenced.indexOf('{');
  const end = unfenced.lastIndexOf('}');
  return start >= 0 && end > start ? unfenced.slice(start, end + 1) : undefined;
}

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(answer)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Reads an answer against the annotation schema: an object the provider already parsed (a tool call),
 * or text holding one JSON object (fences and prose around it are tolerated). Text without JSON that
 * reads as declining is a refusal; anything else that does not fit is `invalid`, with the problem in
 * words for the repair request.
 */
export function parseReply(reply: { readonly text?: string; readonly value?: unknown }, schema: AnnotationSchema): ParsedReply {
  let value = reply.value;
  if (value === undefined) {
    const text = reply.text ?? '';
    const jsonText = extractJsonText(text);
    if (jsonText === undefined) {
      if (looksLikeRefusal(text)) return { kind: 'refused', text: text.trim() };
      return { kind: 'invalid', problem: text.trim() === '' ? 'the answer was empty' : 'the answer holds no JSON object' };
    }
    try {
      value = JSON.parse(jsonText);
    } catch (error) {
      return { kind: 'invalid', problem: `the answer is not valid JSON (${(error as Error).message})` };
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { kind: 'invalid', problem: `the JSON does not match the schema: ${describeIssues(parsed.error.issues)}` };
  const fields = parsed.data as AnnotationFields;
  return { kind: 'ok', fields: { ...fields, distribution: normaliseDistribution(fields.distribution) } };
}

/** Scales a distribution to sum to 1; an all-zero one becomes null. */
function normaliseDistribution(distribution: Record<string, number> | null): Record<string, number> | null {
  if (distribution === null) return null;
  const total = Object.values(distribution).reduce((sum, value) => sum + value, 0);
  if (total <= 0) return null;
  return Object.fromEntries(Object.entries(distribution).map(([label, value]) => [label, value / total]));
}
