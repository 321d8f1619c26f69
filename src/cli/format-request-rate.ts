import type { LimitedBy } from '../pipeline/rate-attribution.js';
import type { RequestLimitReport } from '../pipeline/request-limit.js';
import type { ResilienceStats } from '../runs/resilience/resilience-stats.js';

const CAUSES: Record<LimitedBy, string> = {
  provider: 'the provider (rate limits, backoff)',
  input: 'the input (decoding, face detection)',
  concurrency: 'the concurrency limit',
};

/** What to do about the cause that held the rate most. */
function advice(report: RequestLimitReport, held: LimitedBy, stats: Readonly<ResilienceStats> | undefined): string {
  if (held === 'concurrency') {
    if (report.mode === 'fixed') return 'raise --concurrency, or use --concurrency auto';
    if (report.final >= report.max) return 'raise --max-concurrency';
    return report.decreases > 0 ? 'it backed off where the provider pushed back' : 'the limit was still growing';
  }
  if (held === 'input') return 'more --workers or a faster machine would send more';
  if (report.latencyHolds > 0 && report.pushBacks === 0) return 'the provider queues what it cannot run at once (its answers slowed as more went out): set --concurrency to what it runs at once';
  if (report.pushBacks > 0) return "at the provider's limit (429s): a higher tier, or --batch, would go further";
  if (stats?.providerLimits) return 'at the limits the provider states';
  if (report.overloads > 0 || (stats?.retries ?? 0) > 0) return 'waiting out failures (timeouts, overloads, server errors) and their backoff';
  return 'at the --rpm/--tpm limits';
}

/**
 * The run summary's line on throughput: the answers per second, what `--concurrency` became, and
 * what held the rate (shares of the time from the first request to the last answer), e.g.
 * `requests: 24.1 answered/s; concurrency auto 4 → 38 (max 64), cut 2× after 29 rate-limited answers; held by …`.
 * Empty when nothing was sent.
 */
export function formatRequestRate(report: RequestLimitReport, stats?: Readonly<ResilienceStats>): string {
  if (report.sent === 0 || report.elapsedMs <= 0) return '';
  const rate = report.answered / (report.elapsedMs / 1000);
  const limit = report.mode === 'fixed'
    ? `concurrency ${report.final}`
    : `concurrency auto ${report.initial} → ${report.final}${report.peak > report.final ? ` (peak ${report.peak})` : ''}, max ${report.max}`;
  const causes = [
    report.pushBacks > 0 ? `${report.pushBacks} rate-limited` : '',
    report.overloads > 0 ? `${report.overloads} overloaded or timed out` : '',
  ].filter(Boolean).join(', ');
  const cuts = report.decreases > 0 ? `, cut ${report.decreases}× after ${causes} answer${report.pushBacks + report.overloads === 1 ? '' : 's'}` : '';
  const total = Object.values(report.limitedMs).reduce((sum, ms) => sum + ms, 0);
  const shares = (Object.entries(report.limitedMs) as Array<[LimitedBy, number]>).filter(([, ms]) => ms > 0).sort(([, a], [, b]) => b - a);
  const first = shares[0];
  const held = total > 0 && first
    ? `; held by ${shares.map(([cause, ms]) => `${CAUSES[cause]} ${Math.round((100 * ms) / total)}%`).join(', ')}: ${advice(report, first[0], stats)}` : '';
  const stated = stats?.providerLimits;
  const followed = stated ? `; followed the provider's stated limits: ${[
    stated.requestsPerMinute === undefined ? '' : `${stated.requestsPerMinute.toLocaleString('en-US')} requests/min`,
    stated.tokensPerMinute === undefined ? '' : `${stated.tokensPerMinute.toLocaleString('en-US')} tokens/min`,
  ].filter(Boolean).join(', ')}` : '';
  return `requests: ${rate.toFixed(1)} answered/s; ${limit}${cuts}${held}${followed}`;
}
