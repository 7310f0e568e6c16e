/** Shared pieces of the latency benchmarks (bench:live, bench:portfolio): percentiles, a table, free ports. */
import { createServer } from 'node:net';

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles, rounded to 0.1. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  const round = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: round(rank(0.5)), p90: round(rank(0.9)), p99: round(rank(0.99)), max: round(sorted[sorted.length - 1] ?? Number.NaN) };
}

/** A fixed-width table of summaries, one row per label. */
export function summaryTable(title: string, rows: readonly (readonly [string, Summary])[]): string {
  const num = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-').padStart(8);
  const header = `${title.padEnd(42)}${'n'.padStart(6)}${'p50'.padStart(8)}${'p90'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}`;
  return [header, ...rows.map(([label, s]) => `${label.padEnd(42)}${String(s.n).padStart(6)}${num(s.p50)}${num(s.p90)}${num(s.p99)}${num(s.max)}`)].join('\n');
}

/** `count` distinct free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    // All held open together, so no port is handed out twice.
    await Promise.all(servers.map((s) => new Promise<void>((resolve, reject) => s.once('error', reject).listen(0, '127.0.0.1', resolve))));
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
