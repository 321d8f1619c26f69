import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { EmolabelError } from '../errors.js';
import { normaliseLabel, type Taxonomy } from '../taxonomy/taxonomy.js';

/** An object tag of a labelling config: what a task shows. */
export interface ConfigObject {
  readonly tag: 'Image' | 'Video';
  readonly name: string;
  /** The task data key it reads (`image` for `value="$image"`). */
  readonly dataKey: string;
}

/** The control tags emolabel can fill. */
export const SERVED_CONTROLS = ['Choices', 'RectangleLabels', 'Labels', 'VideoRectangle', 'TimelineLabels'] as const;
export type ServedControl = (typeof SERVED_CONTROLS)[number];

/** A control tag, its labels as the config spells them (a label's `alias` when it has one). */
export interface ConfigControl {
  readonly tag: ServedControl;
  readonly name: string;
  readonly toName: string;
  readonly labels: readonly string[];
}

/** The parts of a labelling config the ML backend reads. */
export interface LabelingConfig {
  readonly objects: readonly ConfigObject[];
  readonly controls: readonly ConfigControl[];
  /** Tags it does not serve (`TextArea`, `PolygonLabels` …), so a message can name them. */
  readonly otherControls: readonly string[];
}

type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, allowBooleanAttributes: true, parseAttributeValue: false });
const OTHER_CONTROLS = /^(TextArea|Rating|Number|DateTime|Ranker|Taxonomy|Pairwise|(Polygon|KeyPoint|Brush|Ellipse|Hyper|Paragraph|Relation|Bitmask|Magic)[A-Za-z]*|Rectangle|Polygon|KeyPoint|Ellipse|Brush)$/;

function tagOf(node: XmlNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#comment');
}

function childrenOf(node: XmlNode, tag: string): XmlNode[] {
  const children = node[tag];
  return Array.isArray(children) ? (children as XmlNode[]) : [];
}

/** The `value` (or `alias`) of every `<Label>` / `<Choice>` under a control, in order. */
function labelsUnder(nodes: readonly XmlNode[]): string[] {
  return nodes.flatMap((node) => {
    const tag = tagOf(node);
    if (tag === undefined) return [];
    const attributes = node[':@'] ?? {};
    const own = (tag === 'Label' || tag === 'Choice') && (attributes.alias ?? attributes.value) ? [attributes.alias ?? attributes.value ?? ''] : [];
    return [...own, ...labelsUnder(childrenOf(node, tag))];
  });
}

/**
 * Reads a Label Studio labelling config: its `Image`/`Video` objects with the data key each reads,
 * and its `Choices`, `RectangleLabels`, `Labels`, `VideoRectangle` and `TimelineLabels` controls
 * with their `name`, `toName` and label names. Throws `invalid_option` for XML that does not parse.
 */
export function parseLabelingConfig(xml: string): LabelingConfig {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new EmolabelError('invalid_option', `The labelling config is not valid XML (line ${valid.err.line}: ${valid.err.msg}); check it under the project's Settings > Labeling Interface > Code.`);
  }
  const objects: ConfigObject[] = [];
  const controls: ConfigControl[] = [];
  const otherControls: string[] = [];
  const visit = (nodes: readonly XmlNode[]) => {
    for (const node of nodes) {
      const tag = tagOf(node);
      if (tag === undefined) continue;
      const attributes = node[':@'] ?? {};
      const children = childrenOf(node, tag);
      if ((tag === 'Image' || tag === 'Video') && attributes.name && attributes.value?.startsWith('$')) {
        objects.push({ tag, name: attributes.name, dataKey: attributes.value.slice(1) });
      } else if ((SERVED_CONTROLS as readonly string[]).includes(tag) && attributes.name && attributes.toName) {
        controls.push({ tag: tag as ServedControl, name: attributes.name, toName: attributes.toName.split(',')[0] ?? attributes.toName, labels: labelsUnder(children) });
        continue;
      } else if (OTHER_CONTROLS.test(tag) && attributes.toName) {
        otherControls.push(`${tag} "${attributes.name ?? ''}"`);
      }
      visit(children);
    }
  };
  visit(parser.parse(xml) as XmlNode[]);
  return { objects, controls, otherControls };
}

/** A control emolabel fills, with the config's label for each of emolabel's. */
export interface ServedControlPlan extends ConfigControl {
  /** emolabel label (the taxonomy's) → the config's spelling of it. */
  readonly labelMap: ReadonlyMap<string, string>;
  /** For `VideoRectangle`: the `Labels` control whose names its tracks carry. */
  readonly labelsFrom?: string;
}

/** What the backend predicts for a config: the object it reads and the controls it fills. */
export interface PredictionPlan {
  readonly object: ConfigObject;
  readonly controls: readonly ServedControlPlan[];
  /** Config labels no emolabel label maps onto (they are never predicted). */
  readonly unmapped: readonly string[];
}

/** Maps each config label onto the taxonomy (`Happiness`, `happy`, `joy` → `Happy`); the first spelling of each wins. */
export function mapConfigLabels(labels: readonly string[], taxonomy: Taxonomy): { map: Map<string, string>; unmapped: string[] } {
  const map = new Map<string, string>();
  const unmapped: string[] = [];
  for (const label of labels) {
    const ours = normaliseLabel(label, taxonomy);
    if (ours === undefined) unmapped.push(label);
    else if (!map.has(ours)) map.set(ours, label);
  }
  return { map, unmapped };
}

/**
 * Decides what emolabel fills in a config: the first `Image` or `Video` object that a served
 * control points at, and each such control whose labels map onto the taxonomy. Throws
 * `invalid_option`, saying what is missing, for a config it cannot serve.
 */
export function planPredictions(config: LabelingConfig, taxonomy: Taxonomy): PredictionPlan {
  const served = config.objects.find((object) => config.controls.some((control) => control.toName === object.name && control.tag !== 'Labels'));
  if (served === undefined) {
    const found = [...config.objects.map((object) => `<${object.tag} name="${object.name}">`), ...config.otherControls].join(', ') || 'none';
    throw new EmolabelError('invalid_option',
      'emolabel cannot serve this labelling config: it needs an <Image> or <Video> object (value="$key") with a Choices, RectangleLabels, ' +
      `VideoRectangle (with a Labels) or TimelineLabels control pointing at it (toName); found ${found}.`);
  }
  const unmapped = new Set<string>();
  const controls: ServedControlPlan[] = [];
  for (const control of config.controls.filter((each) => each.toName === served.name)) {
    if (control.tag === 'Labels') continue;
    if (control.tag === 'VideoRectangle' && served.tag !== 'Video') continue;
    if ((control.tag === 'TimelineLabels' && served.tag !== 'Video') || (control.tag === 'RectangleLabels' && served.tag !== 'Image')) continue;
    const labelsFrom = control.tag === 'VideoRectangle' ? config.controls.find((each) => each.tag === 'Labels' && each.toName === served.name) : undefined;
    if (control.tag === 'VideoRectangle' && labelsFrom === undefined) continue;
    const { map, unmapped: notMapped } = mapConfigLabels(labelsFrom?.labels ?? control.labels, taxonomy);
    for (const label of notMapped) unmapped.add(label);
    if (map.size > 0) controls.push({ ...control, labelMap: map, ...(labelsFrom ? { labelsFrom: labelsFrom.name } : {}) });
  }
  if (controls.length === 0) {
    const labels = config.controls.filter((each) => each.toName === served.name).flatMap((each) => each.labels);
    throw new EmolabelError('invalid_option',
      `emolabel cannot serve this labelling config: none of the labels of the controls on <${served.tag} name="${served.name}"> ` +
      `(${labels.join(', ') || 'none'}) maps onto the ${taxonomy.name} taxonomy (${taxonomy.labels.join(', ')}). ` +
      'Name the labels as emotions (Anger, Happiness, happy …), or pass --taxonomy with a file whose synonyms cover them.');
  }
  return { object: served, controls, unmapped: [...unmapped] };
}
