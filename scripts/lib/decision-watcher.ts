/**
 * When each released bar's decision row appears, for every symbol: the benchmarks release bars themselves and poll
 * the decisions table (one query per poll for all symbols, only for minutes still missing a decision), so the figure
 * is "bar close -> decision stored", the operator's view, with the poll interval as its resolution.
 */
import { performance } from 'node:perf_hooks';
import type postgres from 'postgres';
import { sleep } from './bench-stats';

export class DecisionWatcher {
  /** openTime -> when the exchange released it. */
  private readonly releasedAt = new Map<number, number>();
  /** `${symbol}@${openTime}` -> ms from release to the decision row first seen. */
  readonly latencies = new Map<string, number>();
  private readonly waiting = new Map<number, Set<string>>();
  private running = true;
  private readonly loop: Promise<void>;
  /** The error that ended polling, if any (checked by the caller, so a broken poller is never silent). */
  failure: Error | undefined;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly symbols: readonly string[],
    private readonly mode: string,
    private readonly pollMs: number,
  ) {
    this.loop = this.poll();
  }

  released(openTime: number, at: number): void {
    this.releasedAt.set(openTime, at);
    this.waiting.set(openTime, new Set(this.symbols));
  }

  /** Decisions still missing. */
  get pending(): number {
    let n = 0;
    for (const s of this.waiting.values()) n += s.size;
    return n;
  }

  latenciesOf(openTimes: readonly number[]): number[] {
    return openTimes.flatMap((t) => this.symbols.flatMap((s) => this.latencies.get(`${s}@${t}`) ?? []));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async poll(): Promise<void> {
    try {
      while (this.running) {
        if (this.waiting.size > 0) await this.pollOnce();
        await sleep(this.pollMs);
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.running = false;
    }
  }

  private async pollOnce(): Promise<void> {
    const times = [...this.waiting.keys()].join(',');
    const rows = await this.sql<{ symbol: string; open_time: string }[]>`
      select symbol, open_time from decisions
      where mode = ${this.mode} and open_time = any(string_to_array(${times}, ',')::bigint[])`;
    const seenAt = performance.now();
    for (const row of rows) {
      const openTime = Number(row.open_time);
      const missing = this.waiting.get(openTime);
      if (missing === undefined || !missing.delete(row.symbol)) continue;
      this.latencies.set(`${row.symbol}@${openTime}`, seenAt - this.releasedAt.get(openTime)!);
      if (missing.size === 0) this.waiting.delete(openTime);
    }
  }
}
