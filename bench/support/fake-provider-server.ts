/**
 * The fake provider for the benches, in its own process so its work does not share the measured
 * client's event loop: an OpenAI-compatible server on 127.0.0.1 that answers every request `ok`
 * after a fixed delay. Prints `{"url": …}` on its first stdout line; on SIGTERM it closes and
 * prints `{"requests": N}` (the requests it received) before it exits.
 *
 *   npx tsx bench/support/fake-provider-server.ts 300     # answer delay in ms
 *   npx tsx bench/support/fake-provider-server.ts 300 '{"maxInFlight":16}'   # an account's limits (FakeProviderLimits)
 *
 * With limits, the server turns requests past them away with 429s and prints `rejected` too.
 */
import { startFaultyOpenAiServer } from '../../test/support/faulty-openai-server.js';
import { type FakeProviderLimits, startFakeOpenAiServer } from '../../test/support/fake-openai-server.js';

const answerDelayMs = Number(process.argv[2] ?? '300');
if (!Number.isFinite(answerDelayMs) || answerDelayMs < 0) throw new Error(`Expected an answer delay in ms, got ${process.argv[2]}.`);
const limits = process.argv[3] === undefined ? undefined : (JSON.parse(process.argv[3]) as FakeProviderLimits);

const server = limits === undefined ? await startFaultyOpenAiServer({ answerDelayMs }) : await startFakeOpenAiServer({ limits: { ...limits, latencyMs: answerDelayMs } });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  const requests = server.requests.length;
  const rejected = 'limitStats' in server ? server.limitStats.rejected : 0;
  void server.close().then(() => {
    process.stdout.write(`${JSON.stringify({ requests, rejected })}\n`, () => process.exit(0));
  });
});
// The bench holds our stdin open: when it ends (the bench exited or was killed), so do we.
process.stdin.resume();
process.stdin.once('end', () => process.exit(0));
