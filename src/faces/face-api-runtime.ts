import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerFastConcatKernel } from './fast-concat-kernel.js';
import { EmolabelError } from '../errors.js';

const require = createRequire(import.meta.url);

/** The slice of `@vladmandic/face-api` (WASM build) that emolabel uses. */
export type FaceApi = typeof import('@vladmandic/face-api');
/** The TensorFlow.js namespace face-api runs on. */
export type Tfjs = typeof import('@tensorflow/tfjs');

export interface FaceApiRuntime {
  readonly faceapi: FaceApi;
  readonly tf: Tfjs;
  /** The backend actually in use: `wasm`, or `cpu` when WASM could not start (about 20x slower). */
  readonly backend: string;
}

let loading: Promise<FaceApiRuntime> | undefined;

/**
 * Loads TensorFlow.js on the WASM backend (SIMD, single-threaded: threaded WASM fails in Node) and
 * face-api's detector and expression nets from the weights shipped inside the npm package. Loaded
 * once a process; later calls share it.
 */
export function loadFaceApi(): Promise<FaceApiRuntime> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw new EmolabelError('model_error', `Could not load the bundled face model: ${(error as Error).message}`, { cause: error });
  });
  return loading;
}

async function load(): Promise<FaceApiRuntime> {
  const tf = require('@tensorflow/tfjs') as Tfjs;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const wasmDirectory = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  wasm.setWasmPaths(`${wasmDirectory}/`);
  wasm.setThreadsCount?.(1);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const packageDirectory = dirname(require.resolve('@vladmandic/face-api/package.json'));
  const faceapi = require(join(packageDirectory, 'dist/face-api.node-wasm.js')) as FaceApi;
  if (!(await tf.setBackend('wasm'))) await tf.setBackend('cpu');
  await tf.ready();
  if (tf.getBackend() === 'wasm') registerFastConcatKernel(tf);
  const modelDirectory = join(packageDirectory, 'model');
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDirectory);
  await faceapi.nets.faceExpressionNet.loadFromDisk(modelDirectory);
  return { faceapi, tf, backend: tf.getBackend() };
}
