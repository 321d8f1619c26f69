import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listDatasetLoaders } from '../../src/datasets/dataset-registry.js';
import { runDatasetLoaderContract, writePlaceholderMedia, type DatasetLoaderContractSubject } from '../../src/testing/dataset-loader-contract.js';

type Subject = Omit<DatasetLoaderContractSubject, 'loader'>;

/** `root/<Label>/…`: two classes holding an image, a frame folder, a video, a PNG and a stray text file. */
const folderPerClass: Subject = {
  writeDataset(directory) {
    const items = [
      { id: 'Happy/a', label: 'Happy', kind: 'image', path: join(directory, 'Happy', 'a.jpg') },
      { id: 'Happy/clip-2', label: 'Happy', kind: 'frames', path: join(directory, 'Happy', 'clip-2') },
      { id: 'Sad/b', label: 'Sad', kind: 'video', path: join(directory, 'Sad', 'b.mp4') },
      { id: 'Sad/c', label: 'Sad', kind: 'image', path: join(directory, 'Sad', 'c.png') },
    ] as const;
    for (const item of items) writePlaceholderMedia(item.path, item.kind);
    writeFileSync(join(directory, 'Sad', 'notes.txt'), 'not media, skipped');
    return { path: directory, items };
  },
  skip: { withoutMedia: 'a folder-per-class dataset is its media: without them there is nothing to list' },
};

/** A `path,label,id` CSV: an image, a video and a frame folder, one row naming its own id. */
const manifest: Subject = {
  writeDataset(directory, media) {
    const items = [
      { id: 'images/a', label: 'Happy', kind: 'image', path: join(directory, 'images', 'a.jpg') },
      { id: 'clips/b', label: 'Sad', kind: 'video', path: join(directory, 'clips', 'b.mp4') },
      { id: 'clip-0003', label: 'Neutral', kind: 'frames', path: join(directory, 'clips', 'frames-3') },
    ] as const;
    if (media.present) for (const item of items) writePlaceholderMedia(item.path, item.kind);
    const file = join(directory, 'dataset.csv');
    writeFileSync(file, 'path,label,id\nimages/a.jpg,Happy,\nclips/b.mp4,Sad,\nclips/frames-3,Neutral,clip-0003\n');
    return { path: file, items };
  },
};

/** A FERV39k split list with a foreign prefix, frames under a separate root. */
const ferv39k: Subject = {
  writeDataset(directory, media) {
    const framesRoot = join(directory, '2_ClipsforFaceCrop');
    const clips = [['DailyLife', 'Happy', '0001'], ['Action', 'Fear', '0002'], ['DailyLife', 'Surprise', '0003']] as const;
    const items = clips.map(([scene, label, clip]) => ({ id: `${scene}/${label}/${clip}`, label, kind: 'frames' as const, scene, path: join(framesRoot, scene, label, clip) }));
    if (media.present) for (const item of items) writePlaceholderMedia(item.path, item.kind);
    const list = join(directory, 'test_All.txt');
    writeFileSync(list, clips.map(([scene, label, clip], index) => `/data/FERV39k/2_ClipsforFaceCrop/${scene}/${label}/${clip} 3 ${index}`).join('\n'));
    return { path: list, options: { framesRoot }, items };
  },
};

/** A fixture writer (and skip reasons) per built-in loader; a loader missing here fails the test below. */
const subjects: Record<string, Subject> = { folder: folderPerClass, manifest, ferv39k };

describe('built-in dataset loaders', () => {
  it('each has its fixture writer here', () => {
    expect(listDatasetLoaders().map((loader) => loader.kind).sort()).toEqual(Object.keys(subjects).sort());
  });
});

for (const loader of listDatasetLoaders()) {
  const subject = subjects[loader.kind];
  if (subject !== undefined) runDatasetLoaderContract({ loader, ...subject });
}
