/**
 * Daily and monthly returns of an equity curve (UTC periods). An equity point at time t is the equity at t (a bar's
 * close), so the point at midnight closes the day before: points are grouped by t - 1 ms, and each period's return
 * is its last equity over the previous period's last (the first point, the starting capital, is the first base).
 */
import type { EquityPoint } from './types';

export type Period = 'day' | 'month';

export interface PeriodReturn {
  /** "2023-03-03" or "2023-03" (UTC). */
  readonly period: string;
  readonly startEquity: number;
  readonly endEquity: number;
  /** endEquity / startEquity - 1. */
  readonly return: number;
}

function periodKey(ms: number, period: Period): string {
  const iso = new Date(ms).toISOString();
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

export function periodReturns(points: readonly EquityPoint[], period: Period): PeriodReturn[] {
  const out: PeriodReturn[] = [];
  if (points.length < 2) return out;
  let base = points[0]!.equity;
  let key = '';
  let last = base;
  const close = (): void => {
    if (key !== '') out.push({ period: key, startEquity: base, endEquity: last, return: base === 0 ? 0 : last / base - 1 });
  };
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!;
    const k = periodKey(p.openTime - 1, period);
    if (k !== key) {
      close();
      if (key !== '') base = last;
      key = k;
    }
    last = p.equity;
  }
  close();
  return out;
}

/** The returns of two curves side by side by period (e.g. the strategy and buy-and-hold); null where one has none. */
export function joinReturns(a: readonly PeriodReturn[], b: readonly PeriodReturn[]): { period: string; a: number | null; b: number | null }[] {
  const byPeriod = new Map(b.map((r) => [r.period, r.return]));
  return a.map((r) => ({ period: r.period, a: r.return, b: byPeriod.get(r.period) ?? null }));
}
