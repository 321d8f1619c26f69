// Child process of library-imports.test.ts: records every module loaded while it imports one entry
// of emolabel (and does nothing with it), then prints them and the entry's runtime exports as JSON.
import { recordLoads } from './record-loads.mjs';

const { loaded, settled } = await recordLoads();
const entry = await import(process.argv[2]);
await settled();
process.stdout.write(JSON.stringify({ exports: Object.keys(entry), loaded }));
