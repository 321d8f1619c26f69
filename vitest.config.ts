import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The local model runs on single-threaded WASM; two forks match the two cores of the CI machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
