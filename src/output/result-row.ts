import { clipBox } from '../faces/face-box.js';
import type { ClipResult, FrameRecord } from '../pipeline/clip-result.js';

const round = (value: number | undefined, digits = 4): number | undefined =>
  value === undefined ? undefined : Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * A result flattened to one CSV row. The per-class probabilities become `p_<Label>` columns, the
 * per-frame labels one `;`-separated column.
 */
export function toCsvRow(result: ClipResult, labels: readonly string[], includeFace: boolean): Record<string, string | number> {
  const row: Record<string, string | number> = { id: result.id, path: result.path, kind: result.kind };
  if (includeFace) row.face = result.faceIndex;
  row.label = result.label ?? '';
  row.confidence = round(result.confidence) ?? '';
  for (const label of labels) row[`p_${label}`] = round(result.distribution?.[label]) ?? '';
  Object.assign(row, {
    frame_labels: result.frameLabels.map((label) => label ?? '-').join(';'),
    frames: result.framesUsed,
    face_found: result.faceDetection === 'not_applied' ? 'not_applied' : result.faceFound ? 'true' : 'false',
    model: result.model,
    strategy: result.strategy,
    taxonomy: result.taxonomy,
    status: result.status,
    abstain: result.abstain ?? '',
    error: result.error ?? '',
    truth: result.truth ?? '',
    input_tokens: result.usage.inputTokens,
    output_tokens: result.usage.outputTokens,
    reasoning_tokens: result.usage.reasoningTokens ?? '',
    // Unknown (an unpriced model) is an empty cell, never a 0 a reader would add up.
    cost_usd: result.costUsd === null ? '' : round(result.costUsd, 6) ?? 0,
    prompt_version: result.promptVersion ?? '',
    rationale: result.rationale ?? '',
    warnings: result.warnings.join('; '),
  });
  return row;
}

/** A frame with its face box inside the frame (results stored before boxes were clipped reach past it). */
function withBoxInFrame(frame: FrameRecord): FrameRecord {
  return frame.box && frame.width && frame.height ? { ...frame, box: clipBox(frame.box, frame.width, frame.height) } : frame;
}

/** A result as one JSON object (a JSONL line): every field, nested as in {@link ClipResult}; face boxes inside their frames. */
export function toJsonRecord(result: ClipResult): Record<string, unknown> {
  const { distribution, confidence, ...rest } = result;
  return {
    ...rest,
    frames: rest.frames.map(withBoxInFrame),
    confidence: round(confidence),
    distribution: distribution && Object.fromEntries(Object.entries(distribution).map(([label, value]) => [label, round(value)])),
  };
}
