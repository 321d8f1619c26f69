// Child process of library-imports.test.ts: records every module loaded while it imports emolabel's
// entry and labels one image with the local model, then prints them as JSON on stdout.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const loaded = [];
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => loaded.push(url));
port1.unref();
register('./record-resolutions.mjs', { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
const [entry, image] = process.argv.slice(2);
const emolabel = await import(entry);
const { results } = await emolabel.annotate([image], { workers: 1 });
// Let the hook thread deliver its last messages.
await new Promise((resolve) => setTimeout(resolve, 200));
process.stdout.write(JSON.stringify({ label: results[0]?.label, status: results[0]?.status, loaded }));
