import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LabelledImage } from '../support/faces-dev.js';

/** Groups faces-dev images by label, in file order. */
export function byLabel(images: readonly LabelledImage[]): Map<string, LabelledImage[]> {
  const groups = new Map<string, LabelledImage[]>();
  for (const image of images) groups.set(image.label, [...(groups.get(image.label) ?? []), image]);
  return groups;
}

/**
 * `root/<Label>/<image>.jpg` for every image (symlinks), plus per label one frame-folder clip
 * `root/<Label>/clip-<label>/` of its first three images, and a stray `notes.txt` that must be skipped.
 */
export function buildFolderPerClass(images: readonly LabelledImage[], root: string): { images: number; clips: number } {
  let clips = 0;
  for (const [label, group] of byLabel(images)) {
    const folder = join(root, label);
    mkdirSync(folder, { recursive: true });
    for (const image of group) symlinkSync(image.path, join(folder, basename(image.path)));
    const clip = join(folder, `clip-${label.toLowerCase()}`);
    mkdirSync(clip);
    group.slice(0, 3).forEach((image, index) => symlinkSync(image.path, join(clip, `${index + 1}.jpg`)));
    clips += 1;
  }
  writeFileSync(join(root, 'Happy', 'notes.txt'), 'not media');
  return { images: images.length, clips };
}

/**
 * A FERV39k layout: frames under `framesRoot/<Scene>/<Emotion>/<clip>/1.jpg …` (3 frames each, symlinks)
 * and a split list naming each clip with a foreign absolute prefix, a frame count and a class index.
 * Clips alternate between the DailyLife and Action scenes.
 */
export function buildFerv39k(images: readonly LabelledImage[], framesRoot: string, listFile: string, withFrames = true): Array<{ id: string; label: string; scene: string }> {
  const clips: Array<{ id: string; label: string; scene: string }> = [];
  const lines: string[] = [];
  let clipNumber = 0;
  for (const [label, group] of byLabel(images)) {
    for (let start = 0; start + 3 <= group.length; start += 3) {
      clipNumber += 1;
      const scene = clipNumber % 2 === 0 ? 'Action' : 'DailyLife';
      const clip = String(clipNumber).padStart(4, '0');
      if (withFrames) {
        const folder = join(framesRoot, scene, label, clip);
        mkdirSync(folder, { recursive: true });
        group.slice(start, start + 3).forEach((image, index) => symlinkSync(image.path, join(folder, `${index + 1}.jpg`)));
      }
      lines.push(`/data/FERV39k/2_ClipsforFaceCrop/${scene}/${label}/${clip} 3 ${clipNumber % 7}`);
      clips.push({ id: `${scene}/${label}/${clip}`, label, scene });
    }
  }
  mkdirSync(dirname(listFile), { recursive: true });
  writeFileSync(listFile, `${lines.join('\n')}\n`);
  return clips;
}
