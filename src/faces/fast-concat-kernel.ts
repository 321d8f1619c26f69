import type { TensorInfo } from '@tensorflow/tfjs';

/** The TensorFlow.js namespace (face-api-runtime's `Tfjs`, named here so the kernel does not import the runtime that registers it). */
type Tfjs = typeof import('@tensorflow/tfjs');
type TypedArray = Float32Array | Int32Array | Uint8Array;

/** The WASM backend methods the kernel needs (public methods of `BackendWasm`). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: TensorInfo['dtype']): TensorInfo;
  typedArrayFromHeap(tensor: TensorInfo): TypedArray;
}

/** Below this many values per run, a plain loop beats `subarray()` + `set()`, which allocate a view per run. */
const SHORT_RUN = 64;

/**
 * Replaces the WASM backend's `Concat` kernel with one that copies short runs value by value.
 *
 * Why: face-api normalises every network input with `tf.concat([r, g, b], 3)` of `[1, H, W, 1]`
 * tensors, and the stock kernel copies each of the H·W·3 one-value runs with `subarray()` + `set()`,
 * allocating a typed-array view per value. On faces-dev that kernel alone took about a quarter of a
 * worker's CPU time, plus garbage collection (bench/local-model-speed.ts --cpu-prof). The copy is the
 * same, value for value, so results do not change. Anything else (strings, one input, empty
 * tensors) goes to the stock kernel.
 */
export function registerFastConcatKernel(tf: Tfjs): void {
  const stock = tf.getKernel('Concat', 'wasm');
  if (stock === undefined) return;
  tf.unregisterKernel('Concat', 'wasm');
  tf.registerKernel({
    ...stock,
    kernelFunc: (parameters) => {
      const inputs = parameters.inputs as unknown as TensorInfo[];
      const first = inputs[0];
      const nonEmpty = inputs.filter((input) => tf.util.sizeFromShape(input.shape) > 0);
      if (first === undefined || first.dtype === 'string' || nonEmpty.length < 2) return stock.kernelFunc(parameters);
      const backend = parameters.backend as WasmBackend;
      const axis = tf.util.parseAxisParam(parameters.attrs?.axis as number, first.shape)[0] ?? 0;
      const shapes = inputs.map((input) => input.shape);
      tf.backend_util.assertParamsConsistent(shapes, axis);
      const output = backend.makeOutput(tf.backend_util.computeOutShape(shapes, axis), first.dtype);
      if (tf.util.sizeFromShape(output.shape) === 0) return output;
      concatInto(backend.typedArrayFromHeap(output), nonEmpty.map((input) => backend.typedArrayFromHeap(input)),
        nonEmpty.map((input) => tf.util.sizeFromShape(input.shape.slice(axis))), tf.util.sizeFromShape(first.shape.slice(0, axis)));
      return output;
    },
  });
}

/** Interleaves `inputs` into `output`: for each of `outerSize` rows, each input's run of `runLengths[i]` values in turn. */
export function concatInto(output: TypedArray, inputs: readonly TypedArray[], runLengths: readonly number[], outerSize: number): void {
  if (runLengths.every((runLength) => runLength === 1)) {
    // face-api's case (one value per input per row, e.g. r, g, b): a strided copy per input.
    for (let index = 0; index < inputs.length; index += 1) {
      const input = inputs[index] as TypedArray;
      for (let row = 0; row < outerSize; row += 1) output[row * inputs.length + index] = input[row] as number;
    }
    return;
  }
  let outputOffset = 0;
  // Indexed loops on purpose: this runs H·W times per network input, so no iterator objects here.
  for (let row = 0; row < outerSize; row += 1) {
    for (let index = 0; index < inputs.length; index += 1) {
      const input = inputs[index] as TypedArray;
      const runLength = runLengths[index] as number;
      const inputOffset = row * runLength;
      if (runLength >= SHORT_RUN) {
        output.set(input.subarray(inputOffset, inputOffset + runLength), outputOffset);
      } else {
        for (let value = 0; value < runLength; value += 1) output[outputOffset + value] = input[inputOffset + value] as number;
      }
      outputOffset += runLength;
    }
  }
}
