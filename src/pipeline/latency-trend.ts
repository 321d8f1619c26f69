/** The median of `values` (not empty). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * How long the provider takes to answer, robust to the spread of LLM latency (0.5 s to 4 s for the
 * same request is ordinary): the median of the last answers, against the lowest such median seen.
 * A server that queues what it cannot run at once (Ollama, vLLM) answers later as more requests go
 * out; a provider with spread but no queue keeps its median.
 */
export class LatencyTrend {
  private readonly recent: number[] = [];
  private baselineMs = Number.POSITIVE_INFINITY;

  constructor(private readonly window = 16, private readonly floorMs = 20) {}

  add(latencyMs: number): void {
    this.recent.push(latencyMs);
    if (this.recent.length > this.window) this.recent.shift();
    if (this.recent.length >= this.window / 2) this.baselineMs = Math.min(this.baselineMs, median(this.recent));
  }

  /** Whether answers now take more than `ratio` times the baseline: a queue is building at the provider. */
  queueing(ratio: number): boolean {
    if (this.recent.length < this.window / 2) return false;
    return median(this.recent) > ratio * Math.max(this.baselineMs, this.floorMs);
  }
}
