/**
 * Ranking of a sweep's combinations: on the IN-SAMPLE figure of the chosen metric only (the held-out part is what
 * the ranking is judged on, so it must not choose). Ties keep the combination order, so a rank is reproducible.
 */
import type { PerformanceMetrics } from '../trading';
import type { Combination } from './grid';

export interface ComboResult {
  readonly index: number;
  readonly group: number;
  readonly values: Combination;
  readonly whole: PerformanceMetrics;
  readonly inSample: PerformanceMetrics;
  readonly heldOut: PerformanceMetrics;
  /** A downsampled equity curve, [close time, equity] pairs, for the report. */
  readonly curve: readonly (readonly [number, number])[];
}

export type RankMetric = 'sharpe' | 'sortino' | 'calmar' | 'net_pnl' | 'profit_factor';

/** A null Calmar (no drawdown, or not measurable) ranks below every measured one. */
function score(m: PerformanceMetrics, metric: RankMetric): number {
  const v = m[metric];
  return v === null ? Number.NEGATIVE_INFINITY : v;
}

export function rankResults(results: readonly ComboResult[], metric: RankMetric): ComboResult[] {
  return [...results].sort((a, b) => score(b.inSample, metric) - score(a.inSample, metric) || a.index - b.index);
}

/** At most `points` points, always the first and the last (a report draws the shape, the files keep the detail). */
export function downsample(times: readonly number[], values: readonly number[], points: number): [number, number][] {
  const n = times.length;
  if (n <= points) return times.map((t, i) => [t, values[i]!]);
  const out: [number, number][] = [];
  for (let k = 0; k < points; k++) {
    const i = Math.round((k * (n - 1)) / (points - 1));
    out.push([times[i]!, values[i]!]);
  }
  return out;
}
