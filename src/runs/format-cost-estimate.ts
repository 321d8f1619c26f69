import type { RunCostEstimate } from './estimate-run.js';

function dollars(value: number | undefined): string {
  if (value === undefined) return 'n/a';
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(value >= 0.01 ? 4 : 6)}`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** `openai:gpt-4o-mini, strategy multi, prompt direct@v1, 8 frames, detail low, imageSize 512 …`: the settings that shape the requests. */
function describeRun(estimate: RunCostEstimate): string {
  const { prompt, ...others } = estimate.settings;
  const settings = Object.entries(others).filter(([, value]) => value !== null).map(([name, value]) => `${name} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [estimate.model, `strategy ${estimate.strategy}`, ...(prompt === undefined ? [] : [`prompt ${String(prompt)}`]), `${estimate.frames} frames`, ...settings].join(', ');
}

/**
 * The dry run as text: one line per item, the total, and the cost per 1,000 clips.
 * @example io.stdout.write(formatCostEstimate(await estimateRun(inputs, options)))
 */
export function formatCostEstimate(estimate: RunCostEstimate): string {
  const header = ['item', 'requests', 'images', 'input tokens', 'output tokens', 'est. cost'];
  const rows = estimate.items.map((item) =>
    item.error === undefined
      ? [item.id, String(item.requests), String(item.images), count(item.inputTokens), count(item.outputTokens), dollars(item.costUsd)]
      : [item.id, '-', '-', '-', '-', `error: ${item.error}`],
  );
  const estimated = estimate.items.filter((item) => item.error === undefined).length;
  const { total } = estimate;
  rows.push([`total (${estimated} of ${estimate.items.length} items)`, String(total.requests), String(total.images), count(total.inputTokens), count(total.outputTokens), estimate.priced ? dollars(total.costUsd) : 'n/a']);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => Math.min(60, (row[column] ?? '').length))));
  const line = (row: readonly string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  const lines = [
    `Dry run, no request sent: ${describeRun(estimate)}.`,
    '',
    line(header),
    ...rows.slice(0, -1).map(line),
    line(rows[rows.length - 1] ?? []),
    '',
  ];
  if (estimate.priced && estimate.billing === 'metered') {
    const checked = estimate.priceChecked ? ` (price table checked ${estimate.priceChecked}; prices change, check the provider's page)` : '';
    lines.push(`About ${dollars(estimate.costPer1000Items)} per 1,000 clips at these prices${checked}. Output tokens are the prompt's typical answer length.`);
    if (estimate.batch) {
      const { batch } = estimate;
      lines.push(`Through the ${batch.api} batch API (--batch, answers within 24 h): ${dollars(batch.costUsd)} in total instead of ${dollars(estimate.total.costUsd)} online, about ${dollars(batch.costPer1000Items)} per 1,000 clips (${Math.round(batch.multiplier * 100)}% of the online price).`);
    }
  }
  for (const warning of estimate.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}
