import { type FaceBox, intersectionOverUnion } from './face-box.js';

/** Lowest overlap between a box and a track's last box for the box to continue the track. */
const MIN_TRACK_OVERLAP = 0.2;

/**
 * Assigns each box of each frame to a track (the same person across frames) by greedy overlap with
 * the track's last box. Returns, per frame, the track number of each box; tracks are numbered in
 * order of first appearance, left to right.
 */
export function trackFaces(boxesPerFrame: readonly (readonly FaceBox[])[]): number[][] {
  const lastBoxes: FaceBox[] = [];
  return boxesPerFrame.map((boxes) => {
    const assignment: number[] = new Array<number>(boxes.length).fill(-1);
    const candidates: Array<{ box: number; track: number; overlap: number }> = [];
    boxes.forEach((box, boxIndex) =>
      lastBoxes.forEach((last, track) => {
        const overlap = intersectionOverUnion(box, last);
        if (overlap >= MIN_TRACK_OVERLAP) candidates.push({ box: boxIndex, track, overlap });
      }),
    );
    const takenTracks = new Set<number>();
    for (const candidate of candidates.sort((a, b) => b.overlap - a.overlap)) {
      if (assignment[candidate.box] !== -1 || takenTracks.has(candidate.track)) continue;
      assignment[candidate.box] = candidate.track;
      takenTracks.add(candidate.track);
    }
    const newBoxes = boxes.map((box, index) => ({ box, index })).filter(({ index }) => assignment[index] === -1);
    for (const { box, index } of newBoxes.sort((a, b) => a.box.x - b.box.x)) {
      assignment[index] = lastBoxes.length;
      lastBoxes.push(box);
    }
    boxes.forEach((box, index) => (lastBoxes[assignment[index] ?? 0] = box));
    return assignment;
  });
}
