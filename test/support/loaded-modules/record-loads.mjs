// Records every module URL resolved from now on in this process (through the resolve hook in
// record-resolutions.mjs), then lets TypeScript sources load through tsx.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

/** Starts recording; `settled()` waits for the hook thread to deliver its last messages. */
export async function recordLoads() {
  const loaded = [];
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url) => loaded.push(url));
  port1.unref();
  register('./record-resolutions.mjs', { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  return { loaded, settled: () => new Promise((resolve) => setTimeout(resolve, 200)) };
}
