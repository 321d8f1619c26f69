import { z } from 'zod';

/**
 * The `env` setting of every provider: where API keys are read from. A copy is parsed, since
 * `process.env` is not a plain object and a record schema refuses it as it is.
 */
export const environmentSetting = z
  .preprocess((value) => (value !== null && typeof value === 'object' ? { ...value } : value), z.record(z.string(), z.string().optional()))
  .optional()
  .describe('an object of environment variables');
