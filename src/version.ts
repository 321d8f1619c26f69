import { createRequire } from 'node:module';

/**
 * The version of this emolabel, read from its package.json (one folder above src/ and dist/), so
 * `emolabel --version`, the run store and the package cannot disagree.
 */
export const EMOLABEL_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
