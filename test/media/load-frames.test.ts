import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFrames } from '../../src/media/load-frames.js';
import { probeVideo } from '../../src/media/probe-video.js';
import { demoFace } from '../support/demo-faces.js';
import { makeClipFromStill, makeFrameFolder, makeTempDir } from '../support/make-clips.js';

describe('loadFrames', () => {
  const { dir, cleanup } = makeTempDir();
  let mp4 = '';
  let gif = '';
  beforeAll(async () => {
    mp4 = await makeClipFromStill(demoFace(2), join(dir, 'face.mp4'), { seconds: 2, fps: 25, width: 640, height: 480 });
    gif = await makeClipFromStill(demoFace(2), join(dir, 'face.gif'), { seconds: 1, fps: 10, width: 320, height: 240 });
  });
  afterAll(cleanup);

  it('samples evenly spaced frames of an mp4 in one pass, with times', async () => {
    const info = await probeVideo(mp4);
    expect(info).toMatchObject({ width: 640, height: 480, frameCount: 50 });
    const frames = await loadFrames({ id: 'face', path: mp4, kind: 'video' }, 8);
    expect(frames.map((frame) => frame.sourceIndex)).toEqual([3, 9, 15, 21, 28, 34, 40, 46]);
    expect(frames[1]?.timeSec).toBeCloseTo(9 / 25, 5);
    expect(frames[0]?.image).toMatchObject({ width: 640, height: 480 });
    expect(frames[0]?.image.data.length).toBe(640 * 480 * 3);
  });

  it('samples a gif and returns all frames when it has fewer than asked', async () => {
    const frames = await loadFrames({ id: 'face', path: gif, kind: 'video' }, 16);
    expect(frames).toHaveLength(10);
    expect(frames[0]?.image.width).toBe(320);
  });

  it('takes frame-folder frames in natural name order', async () => {
    const folder = makeFrameFolder(demoFace(3), join(dir, 'clip'), 20);
    const frames = await loadFrames({ id: 'clip', path: folder, kind: 'frames' }, 4);
    expect(frames.map((frame) => frame.file?.split('/').pop())).toEqual(['3.jpg', '8.jpg', '13.jpg', '18.jpg']);
  });

  it('names the file when a video is corrupt or an image is not an image', async () => {
    const fake = join(dir, 'fake.mp4');
    writeFileSync(fake, 'this is text, not a video');
    await expect(loadFrames({ id: 'fake', path: fake, kind: 'video' }, 8)).rejects.toThrow(/fake\.mp4 is not a readable video/);
    const text = join(dir, 'text.jpg');
    writeFileSync(text, 'hello');
    await expect(loadFrames({ id: 'text', path: text, kind: 'image' })).rejects.toThrow(/text\.jpg is not a readable image/);
    const empty = join(dir, 'empty.jpg');
    writeFileSync(empty, '');
    await expect(loadFrames({ id: 'empty', path: empty, kind: 'image' })).rejects.toThrow(/empty\.jpg is empty \(0 bytes\)/);
  });
});
