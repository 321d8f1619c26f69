import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractItemFaces, saveFramesFolder } from '../../src/pipeline/annotate-item.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';

describe('--save-frames folder names', () => {
  const { dir, cleanup } = makeTempDir('emolabel-save-frames-');
  afterAll(cleanup);

  it('keeps every item inside the folder, whatever its id', async () => {
    const saved = join(dir, 'a/b/saved');
    mkdirSync(saved, { recursive: true });
    for (const id of ['../../evil', '/tmp/absolute-evil', 'x/../../../evil2', '..\\..\\evil3']) {
      await extractItemFaces({ id, path: demoFace(1), kind: 'image' }, { frameCount: 1, faceMode: 'none', saveFramesDir: saved });
    }
    expect(readdirSync(join(dir, 'a'))).toEqual(['b']);
    expect(readdirSync(join(dir, 'a/b'))).toEqual(['saved']);
    expect(existsSync(join(dir, 'evil'))).toBe(false);
    expect(existsSync('/tmp/absolute-evil')).toBe(false);
    for (const id of ['../../evil', '/tmp/absolute-evil', 'x/../../../evil2', '..\\..\\evil3']) {
      expect(existsSync(join(saveFramesFolder(saved, id), 'frame-0.jpg'))).toBe(true);
      expect(saveFramesFolder(saved, id).startsWith(`${saved}/`)).toBe(true);
    }
  });

  it('keeps ordinary nested ids as they are', () => {
    expect(saveFramesFolder('/out', 'DailyLife/Happy/0042')).toBe('/out/DailyLife/Happy/0042');
    expect(saveFramesFolder('/out', '../up/x')).toBe('/out/__/up/x');
  });
});
