import type { LimitedBy } from '../pipeline/rate-attribution.js';
import type { RequestLimitReport } from '../pipeline/request-limit.js';
import type { ResilienceStats } from '../runs/resilience/resilience-stats.js';

const CAUSES: Record<LimitedBy, string> = {
  provider: 'the provider (rate limits, backoff)',
  input: 'the input (decoding, face detection)',
  concurrency: 'the concurrency limit',
};

function advice(report: RequestLimitReport, held: LimitedBy): string {
  if (held === 'concurrency') {
    if (report.mode === 'fixed') return 'raise --concurrency, or use --concurrency auto';
    return report.final >= report.max ? 'raise --max-concurrency' : 'the limit was still growing';
  }
  if (held === 'input') return 'more --workers or a faster machine would send more';
  return report.pushBacks > 0 ? "at the provider's limit: a higher tier, or --batch, would go further" : "at the limits the provider states";
}

/**
 * The run summary's line on throughput: the rate reached, what `--concurrency` became, and what
 * held the rate (shares of the time from the first request to the last answer), e.g.
 * `requests: 24.1/s; concurrency auto 4 → 38 (max 64), cut 2× after 29 rate-limited answers; held by the provider (rate limits, backoff) 71%, …`.
 * Empty when no request was sent.
 */
export function formatRequestRate(report: RequestLimitReport, stats?: Readonly<ResilienceStats>): string {
  if (report.sent === 0 || report.elapsedMs <= 0) return '';
  const rate = report.sent / (report.elapsedMs / 1000);
  const limit = report.mode === 'fixed'
    ? `concurrency ${report.final}`
    : `concurrency auto ${report.initial} → ${report.final}${report.peak > report.final ? ` (peak ${report.peak})` : ''}, max ${report.max}`;
  const cuts = report.decreases > 0 ? `, cut ${report.decreases}× after ${report.pushBacks} rate-limited answer${report.pushBacks === 1 ? '' : 's'}` : '';
  const total = Object.values(report.limitedMs).reduce((sum, ms) => sum + ms, 0);
  const shares = (Object.entries(report.limitedMs) as Array<[LimitedBy, number]>).filter(([, ms]) => ms > 0).sort(([, a], [, b]) => b - a);
  const held = total > 0 && shares.length > 0
    ? `; held by ${shares.map(([cause, ms]) => `${CAUSES[cause]} ${Math.round((100 * ms) / total)}%`).join(', ')}: ${advice(report, (shares[0] as [LimitedBy, number])[0])}` : '';
  const stated = stats?.providerLimits;
  const followed = stated ? `; followed the provider's stated limits: ${[
    stated.requestsPerMinute === undefined ? '' : `${stated.requestsPerMinute.toLocaleString('en-US')} requests/min`,
    stated.tokensPerMinute === undefined ? '' : `${stated.tokensPerMinute.toLocaleString('en-US')} tokens/min`,
  ].filter(Boolean).join(', ')}` : '';
  return `requests: ${rate.toFixed(1)}/s; ${limit}${cuts}${held}${followed}`;
}
