/** Openings and phrases with which models decline instead of answering. */
const REFUSAL_PATTERNS: readonly RegExp[] = [
  /\b(?:I'?m|I am)\s+(?:sorry|afraid|unable|not able)\b/i,
  /\b(?:I|we)\s+(?:can(?:no|')?t|cannot|won'?t|will not|am not able to|do not|don'?t)\s+(?:help|assist|comply|identify|determine|provide|analy[sz]e|make|infer|assess|label|classify|speculate|recogni[sz]e)\b/i,
  /\bnot (?:comfortable|appropriate|permitted|allowed)\b/i,
  /\bas an AI\b/i,
  /\bagainst (?:my|our) (?:guidelines|policy|policies)\b/i,
  /\b(?:unable|not able) to (?:help|assist|comply|identify|determine|analy[sz]e|infer|assess)\b/i,
];

/**
 * True when an answer that holds no JSON reads as the model declining (`I'm sorry, I can't help
 * with identifying emotions of real people`), as opposed to a malformed answer worth repairing.
 */
export function looksLikeRefusal(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.includes('{')) return false;
  return REFUSAL_PATTERNS.some((pattern) => pattern.test(trimmed));
}
