/** The seven basic emotion classes (FER2013, FERV39k, AffectNet-7 order by name). */
export const BASIC_LABELS = ['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise'] as const;

export type BasicLabel = (typeof BASIC_LABELS)[number];

/** Common spellings of the basic classes, lower-cased, mapped to the canonical name. */
const BASIC_SYNONYMS: Record<string, BasicLabel> = {
  angry: 'Angry', anger: 'Angry', mad: 'Angry', annoyed: 'Angry', rage: 'Angry',
  disgust: 'Disgust', disgusted: 'Disgust', disgusting: 'Disgust', contempt: 'Disgust',
  fear: 'Fear', fearful: 'Fear', afraid: 'Fear', scared: 'Fear', fright: 'Fear',
  happy: 'Happy', happiness: 'Happy', joy: 'Happy', joyful: 'Happy', smile: 'Happy', smiling: 'Happy',
  neutral: 'Neutral', calm: 'Neutral', none: 'Neutral',
  sad: 'Sad', sadness: 'Sad', unhappy: 'Sad', sorrow: 'Sad',
  surprise: 'Surprise', surprised: 'Surprise', surprising: 'Surprise', astonished: 'Surprise',
};

/** Lower-case, trimmed, with separators dropped: `" Fear-ful "` → `"fearful"`. */
export function labelKey(raw: string): string {
  return raw.trim().toLowerCase().replace(/[\s_\-.]+/g, '');
}

/** Maps a spelling of a basic class (anger, ANGRY, happiness, fearful …) to its canonical name. */
export function normaliseBasicLabel(raw: string): BasicLabel | undefined {
  return BASIC_SYNONYMS[labelKey(raw)];
}
