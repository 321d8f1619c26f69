import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose header claims `width` x `height` pixels (no pixel data): what a decoder sees of a giant image. */
export function writeGiantPngHeader(path: string, width = 20000, height = 20000): string {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // One row of pixel data is enough for a decoder to read the header and trust the size.
  const firstRow = deflateSync(Buffer.alloc(1 + width * 3));
  writeFileSync(path, Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', firstRow), pngChunk('IEND', Buffer.alloc(0))]));
  return path;
}

/** The bad inputs a real folder collects: an empty file, text named .jpg, a corrupt video, a giant image. */
export function writeBadMedia(folder: string): Record<'empty' | 'text' | 'corruptVideo' | 'giant', string> {
  const empty = join(folder, 'empty.jpg');
  writeFileSync(empty, '');
  const text = join(folder, 'readme.jpg');
  writeFileSync(text, 'this is a text file with a .jpg name');
  const corruptVideo = join(folder, 'corrupt.mp4');
  writeFileSync(corruptVideo, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(500, 7)]));
  return { empty, text, corruptVideo, giant: writeGiantPngHeader(join(folder, 'giant.png')) };
}
