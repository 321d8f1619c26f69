// Child process of library-imports.test.ts: records every module loaded while it imports emolabel's
// entry and labels one image with the local model, then prints them as JSON on stdout.
import { recordLoads } from './record-loads.mjs';

const { loaded, settled } = await recordLoads();
const [entry, image] = process.argv.slice(2);
const emolabel = await import(entry);
const { results } = await emolabel.annotate([image], { workers: 1 });
await settled();
process.stdout.write(JSON.stringify({ label: results[0]?.label, status: results[0]?.status, loaded }));
