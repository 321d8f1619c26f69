import type { Annotation } from '../annotator.js';
import type { AnnotationFields } from './annotation-schema.js';

/**
 * The annotation a schema-valid answer gives: its label, confidence, distribution, rationale and
 * what the model saw. An answer that abstains (schema version 2) is status `abstained` with its
 * reason and rationale and no label, confidence or distribution, so it never votes or counts as a
 * label. Per-frame labels, the peak frame and whether the hint was followed come along when given.
 */
export function annotationFromFields(fields: AnnotationFields, common: Omit<Annotation, 'status'>): Annotation {
  const rationale = [fields.interpretation, fields.rationale].filter(Boolean).join(' ') || undefined;
  const extras = {
    ...(fields.actionUnits === undefined ? {} : { actionUnits: fields.actionUnits }),
    ...(fields.peakFrame === undefined || fields.peakFrame === null ? {} : { peakFrame: fields.peakFrame }),
  };
  if (fields.abstain !== undefined && fields.abstain !== null) {
    return { ...common, status: 'abstained', abstain: fields.abstain, rationale, faceVisible: fields.abstain !== 'no_face', ...extras };
  }
  const faceVisible = fields.faceVisible ?? true;
  const warnings = faceVisible ? common.warnings : [...(common.warnings ?? []), 'the model saw no face in the images'];
  return {
    ...common,
    status: 'ok',
    label: fields.label,
    confidence: fields.confidence,
    distribution: fields.distribution ?? undefined,
    rationale,
    faceVisible,
    ...extras,
    ...(fields.frames === undefined || fields.frames.length === 0 ? {} : { perFrameLabels: fields.frames }),
    ...(fields.hintFollowed === undefined ? {} : { hintFollowed: fields.hintFollowed }),
    warnings,
  };
}
