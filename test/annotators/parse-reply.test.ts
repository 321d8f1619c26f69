import { describe, expect, it } from 'vitest';
import { annotationJsonSchema, createAnnotationSchema } from '../../src/annotators/llm/annotation-schema.js';
import { looksLikeRefusal } from '../../src/annotators/llm/detect-refusal.js';
import { parseReply } from '../../src/annotators/llm/parse-reply.js';
import { basic7, ternary } from '../../src/taxonomy/taxonomy.js';

const schema = createAnnotationSchema(basic7);

describe('the answer schema', () => {
  it('is one z.enum of the taxonomy labels, sent as a strict JSON schema with every field required', () => {
    const json = annotationJsonSchema(createAnnotationSchema(ternary)) as { properties: Record<string, { enum?: string[] }>; required: string[]; additionalProperties: boolean };
    expect(json.properties.label?.enum).toEqual(['negative', 'neutral', 'positive']);
    expect(json.required).toEqual(['faceVisible', 'label', 'confidence', 'distribution', 'rationale']);
    expect(json.additionalProperties).toBe(false);
    expect(JSON.stringify(json)).not.toContain('$schema');
  });

  it('asks for action units and their interpretation before the label in au-cot mode', () => {
    const json = annotationJsonSchema(createAnnotationSchema(basic7, { actionUnits: true })) as { properties: Record<string, unknown> };
    expect(Object.keys(json.properties)).toEqual(['faceVisible', 'actionUnits', 'interpretation', 'label', 'confidence', 'distribution', 'rationale']);
  });
});

describe('parseReply', () => {
  it('reads a plain JSON answer', () => {
    const parsed = parseReply({ text: '{"faceVisible":true,"label":"Sad","confidence":0.7,"distribution":null,"rationale":"drooping lids"}' }, schema);
    expect(parsed).toEqual({ kind: 'ok', fields: { faceVisible: true, label: 'Sad', confidence: 0.7, distribution: null, rationale: 'drooping lids' } });
  });

  it('tolerates fences, prose, synonyms, case, percentages and missing optional fields', () => {
    const parsed = parseReply({ text: 'Sure! Here it is:\n```json\n{"label": "happiness", "confidence": "85%", "distribution": {"HAPPY": 85, "neutral": 15}}\n```' }, schema);
    expect(parsed.kind).toBe('ok');
    if (parsed.kind !== 'ok') return;
    expect(parsed.fields).toMatchObject({ label: 'Happy', confidence: 0.85, faceVisible: true, rationale: '' });
    expect(parsed.fields.distribution?.Happy).toBeCloseTo(0.85, 6);
    expect(Object.values(parsed.fields.distribution ?? {}).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('collapses basic labels onto a coarser taxonomy', () => {
    const parsed = parseReply({ value: { label: 'anger', confidence: 0.6 } }, createAnnotationSchema(ternary));
    expect(parsed).toMatchObject({ kind: 'ok', fields: { label: 'negative' } });
  });

  it('says what is wrong with an answer that does not fit, for the repair request', () => {
    expect(parseReply({ text: '{"label": "smirk", "confidence": 0.5}' }, schema)).toEqual({
      kind: 'invalid', problem: expect.stringMatching(/label: Invalid option: expected one of "Angry"/),
    });
    expect(parseReply({ text: '{"label": "Happy", "confidence": }' }, schema)).toEqual({ kind: 'invalid', problem: expect.stringMatching(/not valid JSON/) });
    expect(parseReply({ text: 'Happy, fairly sure.' }, schema)).toEqual({ kind: 'invalid', problem: 'the answer holds no JSON object' });
    expect(parseReply({ text: '' }, schema)).toEqual({ kind: 'invalid', problem: 'the answer was empty' });
  });

  it('takes a sentence that declines as a refusal, with its words', () => {
    const words = "I'm sorry, but I can't help with identifying emotions of real people.";
    expect(parseReply({ text: words }, schema)).toEqual({ kind: 'refused', text: words });
  });
});

describe('looksLikeRefusal', () => {
  it.each([
    "I'm sorry, I can't assist with that.",
    'I cannot determine the emotional state of a real person from a photo.',
    'As an AI, I am not able to analyse faces.',
    "I won't speculate about this person's feelings.",
  ])('refusal: %s', (text) => expect(looksLikeRefusal(text)).toBe(true));

  it.each(['The person looks happy.', 'Label: Sad (0.7)', '{"label": "sorry"}', ''])('not a refusal: %s', (text) => expect(looksLikeRefusal(text)).toBe(false));
});
