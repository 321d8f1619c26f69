import type { Annotation } from '../annotator.js';
import type { AnnotationFields } from './annotation-schema.js';

/** The annotation a schema-valid answer gives: its label, confidence, distribution, rationale and what the model saw. */
export function annotationFromFields(fields: AnnotationFields, common: Omit<Annotation, 'status'>): Annotation {
  const warnings = fields.faceVisible ? common.warnings : [...(common.warnings ?? []), 'the model saw no face in the images'];
  return {
    ...common,
    status: 'ok',
    label: fields.label,
    confidence: fields.confidence,
    distribution: fields.distribution ?? undefined,
    rationale: [fields.interpretation, fields.rationale].filter(Boolean).join(' ') || undefined,
    faceVisible: fields.faceVisible,
    actionUnits: fields.actionUnits,
    warnings,
  };
}
