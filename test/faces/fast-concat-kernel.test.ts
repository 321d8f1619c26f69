import { describe, expect, it } from 'vitest';
import { loadFaceApi } from '../../src/faces/face-api-runtime.js';
import { concatInto } from '../../src/faces/fast-concat-kernel.js';

/** Concatenation as the definition says it: for each row, each input's run in turn. */
function reference(inputs: number[][], runLengths: number[], rows: number): number[] {
  const output: number[] = [];
  for (let row = 0; row < rows; row += 1) {
    inputs.forEach((input, index) => output.push(...input.slice(row * (runLengths[index] ?? 0), (row + 1) * (runLengths[index] ?? 0))));
  }
  return output;
}

describe('concatInto', () => {
  it('interleaves short and long runs as the definition of concat says', () => {
    const short = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
    const output = new Float32Array(9);
    concatInto(output, short.map((values) => Float32Array.from(values)), [1, 1, 1], 3);
    expect([...output]).toEqual(reference(short, [1, 1, 1], 3));
    const long = [Array.from({ length: 200 }, (_, index) => index), Array.from({ length: 140 }, (_, index) => -1 - index)];
    const longOutput = new Int32Array(340);
    concatInto(longOutput, long.map((values) => Int32Array.from(values)), [100, 70], 2);
    expect([...longOutput]).toEqual(reference(long, [100, 70], 2));
  });
});

describe('the Concat kernel of the WASM backend, as face-api uses it', () => {
  it('gives what concat means for every axis, dtype and the stock kernel cases', async () => {
    const { tf, backend } = await loadFaceApi();
    expect(backend).toBe('wasm');
    const channel = (value: number) => tf.fill([1, 3, 4, 1], value, 'float32');
    const rgb = tf.concat([channel(1), channel(2), channel(3)], 3);
    expect(rgb.shape).toEqual([1, 3, 4, 3]);
    expect(Array.from(await rgb.data())).toEqual(Array.from({ length: 12 }, () => [1, 2, 3]).flat());
    const a = tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32');
    const b = tf.tensor2d([[5], [6]], undefined, 'int32');
    expect(await tf.concat([a, b], 1).array()).toEqual([[1, 2, 5], [3, 4, 6]]);
    expect(await tf.concat([a, tf.tensor2d([[7, 8]], undefined, 'int32')], 0).array()).toEqual([[1, 2], [3, 4], [7, 8]]);
    expect(await tf.concat([tf.tensor1d([true], 'bool'), tf.tensor1d([false, true], 'bool')]).array()).toEqual([1, 0, 1]);
    expect(await tf.concat([a, tf.zeros([2, 0], 'int32')], 1).array()).toEqual([[1, 2], [3, 4]]);
    expect(await tf.concat([tf.tensor1d(['x'], 'string'), tf.tensor1d(['y'], 'string')]).array()).toEqual(['x', 'y']);
  });
});
