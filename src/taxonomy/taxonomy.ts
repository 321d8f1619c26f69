import { BASIC_LABELS, type BasicLabel, labelKey, normaliseBasicLabel } from './basic-labels.js';

/** A probability per label of a taxonomy; values sum to 1 when complete. */
export type Distribution = Record<string, number>;

/**
 * A set of labels an annotator chooses from, with a mapping from the seven basic classes so that
 * models trained on basic7 (the local classifier) and gold labels in basic7 can be collapsed onto it.
 */
export interface Taxonomy {
  /** `basic7`, `ternary`, or the `name` of a custom taxonomy file. */
  readonly name: string;
  /** Canonical label names, in display order. */
  readonly labels: readonly string[];
  /** A one-line description of each label, used in LLM prompts. */
  readonly descriptions: Readonly<Record<string, string>>;
  /** Which label of this taxonomy each basic class becomes. */
  readonly fromBasic: Readonly<Record<BasicLabel, string>>;
  /** Extra spellings (lower-case) accepted for a label, beyond its name and basic7 synonyms. */
  readonly synonyms?: Readonly<Record<string, string>>;
}

export const basic7: Taxonomy = {
  name: 'basic7',
  labels: BASIC_LABELS,
  descriptions: {
    Angry: 'anger: lowered and drawn-together brows, glaring eyes, pressed lips or bared teeth',
    Disgust: 'disgust: wrinkled nose, raised upper lip, narrowed eyes',
    Fear: 'fear: raised and drawn-together brows, widened eyes, lips stretched back',
    Happy: 'happiness: smile with raised cheeks and crow\'s feet',
    Neutral: 'no clear emotion: relaxed face',
    Sad: 'sadness: inner brows raised, lip corners pulled down, drooping eyelids',
    Surprise: 'surprise: raised brows, wide-open eyes, dropped jaw',
  },
  fromBasic: {
    Angry: 'Angry', Disgust: 'Disgust', Fear: 'Fear', Happy: 'Happy',
    Neutral: 'Neutral', Sad: 'Sad', Surprise: 'Surprise',
  },
};

export const ternary: Taxonomy = {
  name: 'ternary',
  labels: ['negative', 'neutral', 'positive'],
  descriptions: {
    negative: 'a negative emotion: anger, disgust, fear or sadness',
    neutral: 'no clear emotion',
    positive: 'a positive emotion: happiness or surprise',
  },
  fromBasic: {
    Angry: 'negative', Disgust: 'negative', Fear: 'negative', Sad: 'negative',
    Neutral: 'neutral', Happy: 'positive', Surprise: 'positive',
  },
  synonyms: { neg: 'negative', neu: 'neutral', pos: 'positive' },
};

/** The seven basic classes and Contempt, as AffectNet-8 labels faces; Contempt stays its own class. */
export const basic8: Taxonomy = {
  name: 'basic8',
  labels: [...BASIC_LABELS, 'Contempt'],
  descriptions: {
    ...basic7.descriptions,
    Contempt: 'contempt: one lip corner tightened and raised (a smirk on one side)',
  },
  fromBasic: basic7.fromBasic,
};

/** Built-in taxonomies by name. */
export const BUILT_IN_TAXONOMIES: Readonly<Record<string, Taxonomy>> = { basic7, basic8, ternary };

/**
 * Emotions that are classes of their own in some datasets but that the basic classes fold into
 * another (`contempt` → Disgust): a taxonomy without such a label changes their meaning, which
 * readers of gold labels should be told.
 */
const FOLDED_EMOTIONS: readonly string[] = ['contempt'];

/**
 * When `raw` names an emotion that `taxonomy` has no class for and folds into another (contempt
 * into Disgust under basic7), the label it became; `undefined` for a label the taxonomy keeps.
 * @example foldedInto('contempt', basic7) // 'Disgust'; foldedInto('contempt', basic8) // undefined
 */
export function foldedInto(raw: string, taxonomy: Taxonomy): string | undefined {
  const key = labelKey(raw);
  if (!FOLDED_EMOTIONS.includes(key) || taxonomy.labels.some((label) => labelKey(label) === key) || taxonomy.synonyms?.[key] !== undefined) return undefined;
  return normaliseLabel(raw, taxonomy);
}

/**
 * Maps any spelling of a label to the taxonomy's canonical name: the label itself in any case,
 * a synonym, or a basic-class spelling (anger, happiness, fearful …) collapsed through `fromBasic`.
 * Returns `undefined` when nothing matches.
 */
export function normaliseLabel(raw: string, taxonomy: Taxonomy = basic7): string | undefined {
  const key = labelKey(raw);
  if (key === '') return undefined;
  const direct = taxonomy.labels.find((label) => labelKey(label) === key);
  if (direct !== undefined) return direct;
  const synonym = taxonomy.synonyms?.[key];
  if (synonym !== undefined) return synonym;
  const basic = normaliseBasicLabel(raw);
  return basic === undefined ? undefined : taxonomy.fromBasic[basic];
}

/** Collapses a distribution over the basic classes onto a taxonomy by summing mapped classes. */
export function collapseBasicDistribution(distribution: Readonly<Record<BasicLabel, number>>, taxonomy: Taxonomy): Distribution {
  const collapsed: Distribution = Object.fromEntries(taxonomy.labels.map((label) => [label, 0]));
  for (const basic of BASIC_LABELS) {
    const target = taxonomy.fromBasic[basic];
    collapsed[target] = (collapsed[target] ?? 0) + (distribution[basic] ?? 0);
  }
  return collapsed;
}

/** The label with the highest probability; ties go to the earlier label of the taxonomy. */
export function topLabel(distribution: Distribution, taxonomy: Taxonomy): { label: string; confidence: number } {
  let best = { label: taxonomy.labels[0] ?? '', confidence: -1 };
  for (const label of taxonomy.labels) {
    const probability = distribution[label] ?? 0;
    if (probability > best.confidence) best = { label, confidence: probability };
  }
  return best;
}

/** The same probability for every label of `taxonomy`. */
export function uniformDistribution(taxonomy: Taxonomy): Distribution {
  return Object.fromEntries(taxonomy.labels.map((label) => [label, 1 / taxonomy.labels.length]));
}

/** `500 "contempt" labels of <where> were counted as Disgust: basic7 has no class for it …`: the warning for {@link foldedInto}. */
export function foldedWarning(label: string, into: string, count: number, taxonomy: Taxonomy, where: string): string {
  return `${count} "${label}" label${count === 1 ? '' : 's'} of ${where} ${count === 1 ? 'was' : 'were'} counted as ${into}: ${taxonomy.name} has no class for it` +
    ' (use --taxonomy basic8, or a taxonomy file with that label, to keep it apart)';
}
