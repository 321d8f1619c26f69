import { describe, expect, it } from 'vitest';
import { annotationFromFields } from '../../src/annotators/llm/annotation-from-fields.js';
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

describe('the answer schema, version 2 (prompts @v2)', () => {
  const keys = (options: Parameters<typeof createAnnotationSchema>[1]) =>
    Object.keys((annotationJsonSchema(createAnnotationSchema(basic7, options)) as { properties: object }).properties);

  it('asks first whether the model abstains, instead of faceVisible, and adds fields by the request\'s shape', () => {
    expect(keys({ version: 2 })).toEqual(['abstain', 'label', 'confidence', 'distribution', 'rationale']);
    expect(keys({ version: 2, frameCount: 8 })).toEqual(['abstain', 'label', 'confidence', 'distribution', 'frames', 'rationale']);
    expect(keys({ version: 2, hint: true })).toEqual(['abstain', 'label', 'confidence', 'distribution', 'rationale', 'hintFollowed']);
    expect(keys({ version: 2, actionUnits: true, frameCount: 8 })).toEqual(['abstain', 'peakFrame', 'actionUnits', 'interpretation', 'label', 'confidence', 'distribution', 'frames', 'rationale']);
    // Version 1 ignores the shape: the v1 prompts keep their schema.
    expect(keys({ frameCount: 8, hint: true })).toEqual(['faceVisible', 'label', 'confidence', 'distribution', 'rationale']);
  });

  it('bounds frame numbers by the frames sent, and lists the abstain reasons and the label each action unit suggests', () => {
    const json = annotationJsonSchema(createAnnotationSchema(ternary, { version: 2, actionUnits: true, frameCount: 4 })) as { properties: Record<string, any>; required: string[] };
    expect(json.properties.frames.items.properties.index).toMatchObject({ type: 'integer', minimum: 1, maximum: 4 });
    expect(json.properties.frames.items.properties.label.enum).toEqual(['negative', 'neutral', 'positive']);
    expect(json.properties.abstain.anyOf).toEqual([{ type: 'string', enum: ['no_face', 'occluded', 'several_faces', 'too_blurred'] }, { type: 'null' }]);
    expect(json.properties.actionUnits.items.properties.suggests.enum).toEqual(['negative', 'neutral', 'positive']);
    expect(json.required).toEqual(Object.keys(json.properties));
  });

  it('reads an abstention leniently, and "none" as no abstention', () => {
    const v2 = createAnnotationSchema(basic7, { version: 2, frameCount: 3 });
    expect(parseReply({ value: { abstain: 'Several faces', label: 'Neutral', confidence: 0 } }, v2)).toMatchObject({ kind: 'ok', fields: { abstain: 'several_faces' } });
    expect(parseReply({ value: { abstain: 'blurry', label: 'Neutral', confidence: 0 } }, v2)).toMatchObject({ kind: 'ok', fields: { abstain: 'too_blurred' } });
    expect(parseReply({ value: { abstain: 'none', label: 'joy', confidence: 0.9, frames: [{ index: '2', label: 'sadness' }] } }, v2)).toMatchObject({
      kind: 'ok', fields: { abstain: null, label: 'Happy', frames: [{ index: 2, label: 'Sad' }] },
    });
    expect(parseReply({ value: { abstain: 'bored', label: 'Neutral', confidence: 0 } }, v2)).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/^the JSON does not match the schema: abstain: /) });
    expect(parseReply({ value: { abstain: null, label: 'Happy', confidence: 0.9, frames: [{ index: 4, label: 'Happy' }] } }, v2)).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/frames\.0\.index/) });
  });
});

describe('annotationFromFields', () => {
  const common = { usage: { inputTokens: 10, outputTokens: 5 }, promptVersion: 'direct@v2', warnings: [] };

  it('makes an abstention its own status, without label, confidence or distribution, so it cannot vote', () => {
    const annotation = annotationFromFields({ abstain: 'occluded', label: 'Neutral', confidence: 0, distribution: { Neutral: 1 }, rationale: 'A hand covers the mouth.' }, common);
    expect(annotation).toEqual({ ...common, status: 'abstained', abstain: 'occluded', rationale: 'A hand covers the mouth.', faceVisible: true });
    expect(annotationFromFields({ abstain: 'no_face', label: 'Neutral', confidence: 0, distribution: null, rationale: '' }, common)).toMatchObject({ status: 'abstained', faceVisible: false });
  });

  it('carries each frame\'s label, the peak frame and whether the hint was followed', () => {
    const annotation = annotationFromFields({
      abstain: null, peakFrame: 2, label: 'Happy', confidence: 0.8, distribution: null, rationale: 'A smile.', hintFollowed: false,
      frames: [{ index: 1, label: 'Neutral' }, { index: 2, label: 'Happy' }],
    }, common);
    expect(annotation).toMatchObject({ status: 'ok', label: 'Happy', peakFrame: 2, hintFollowed: false, perFrameLabels: [{ index: 1, label: 'Neutral' }, { index: 2, label: 'Happy' }], faceVisible: true });
  });

  it('keeps a v1 answer as before: labelled, with a warning when the model saw no face', () => {
    const annotation = annotationFromFields({ faceVisible: false, label: 'Sad', confidence: 0.4, distribution: null, rationale: '' }, common);
    expect(annotation).toMatchObject({ status: 'ok', label: 'Sad', faceVisible: false, warnings: ['the model saw no face in the images'] });
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
