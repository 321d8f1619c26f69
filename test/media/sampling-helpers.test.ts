import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evenlySpacedIndices, sortNatural } from '../../src/media/evenly-spaced.js';
import { JpegStreamSplitter } from '../../src/media/split-jpeg-stream.js';
import { demoFace } from '../support/demo-faces.js';

describe('evenlySpacedIndices', () => {
  it('takes the middle of each segment', () => {
    expect(evenlySpacedIndices(16, 4)).toEqual([2, 6, 10, 14]);
    expect(evenlySpacedIndices(10, 1)).toEqual([5]);
    expect(evenlySpacedIndices(50, 8)).toEqual([3, 9, 15, 21, 28, 34, 40, 46]);
  });

  it('returns every index when there are fewer frames than asked', () => {
    expect(evenlySpacedIndices(3, 8)).toEqual([0, 1, 2]);
    expect(evenlySpacedIndices(0, 8)).toEqual([]);
  });
});

describe('sortNatural', () => {
  it('orders numbered frames as people count them', () => {
    expect(sortNatural(['10.jpg', '2.jpg', '1.jpg', 'frame_011.png', 'frame_9.png'])).toEqual(['1.jpg', '2.jpg', '10.jpg', 'frame_9.png', 'frame_011.png']);
  });
});

describe('JpegStreamSplitter', () => {
  it('recovers each JPEG of a concatenated stream fed in odd-sized chunks', () => {
    const first = readFileSync(demoFace(1));
    const second = readFileSync(demoFace(2));
    const stream = Buffer.concat([first, second, first]);
    const splitter = new JpegStreamSplitter();
    const images: Buffer[] = [];
    for (let offset = 0; offset < stream.length; offset += 7919) images.push(...splitter.push(stream.subarray(offset, offset + 7919)));
    expect(images.map((image) => image.length)).toEqual([first.length, second.length, first.length]);
    expect(images[1]?.equals(second)).toBe(true);
    expect(splitter.leftoverBytes).toBe(0);
  });
});
