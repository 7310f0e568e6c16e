/**
 * Downsampling for the report's overview charts: a year of 1-minute data is drawn from a bounded number of points,
 * so the page stays light; the full minutes are embedded separately (detail-chunks.ts) and shown when zoomed in.
 */
import type { EquityPoint } from './types';

/** A candle as ECharts' candlestick series takes it, with its time first: [openTime, open, close, low, high]. */
export type Candle = readonly [number, number, number, number, number];

export interface OhlcBar {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

const MINUTE = 60_000;
/** Bucket widths a reader recognises (minutes); the smallest that keeps the candle count bounded is chosen. */
const NICE_MINUTES = [1, 5, 15, 30, 60, 120, 240, 480, 720, 1440, 10_080] as const;

/** The smallest nice bucket (ms) covering `spanMs` in at most `maxCandles` buckets. */
export function bucketMs(spanMs: number, maxCandles: number): number {
  for (const m of NICE_MINUTES) if (spanMs / (m * MINUTE) <= maxCandles) return m * MINUTE;
  return Math.ceil(spanMs / maxCandles / MINUTE) * MINUTE;
}

/** OHLC bars (in time order) aggregated to candles of `bucket` ms aligned on UTC multiples of it. */
export function aggregateCandles(bars: readonly OhlcBar[], bucket: number): Candle[] {
  const out: Candle[] = [];
  let start = Number.NaN;
  let o = 0;
  let h = 0;
  let l = 0;
  let c = 0;
  for (const b of bars) {
    const s = Math.floor(b.openTime / bucket) * bucket;
    if (s !== start) {
      if (!Number.isNaN(start)) out.push([start, o, c, l, h]);
      start = s;
      o = b.open;
      h = b.high;
      l = b.low;
    } else {
      if (b.high > h) h = b.high;
      if (b.low < l) l = b.low;
    }
    c = b.close;
  }
  if (!Number.isNaN(start)) out.push([start, o, c, l, h]);
  return out;
}

/** Mean of the values per bucket of `bucket` ms, as [bucketStart, mean] (null values are skipped). */
export function bucketMeans(times: readonly number[], values: readonly (number | null)[], bucket: number): [number, number][] {
  const out: [number, number][] = [];
  let start = Number.NaN;
  let sum = 0;
  let n = 0;
  const flush = (): void => {
    if (n > 0) out.push([start, sum / n]);
  };
  times.forEach((t, i) => {
    const s = Math.floor(t / bucket) * bucket;
    if (s !== start) {
      flush();
      start = s;
      sum = 0;
      n = 0;
    }
    const v = values[i];
    if (v !== null && v !== undefined) {
      sum += v;
      n++;
    }
  });
  flush();
  return out;
}

/** Keeps the first, last, lowest and highest point of each bucket, so spikes and drawdowns stay visible. */
export function extremes(points: readonly EquityPoint[], maxPoints: number): EquityPoint[] {
  if (points.length <= maxPoints) return [...points];
  const size = Math.ceil(points.length / Math.max(1, Math.floor(maxPoints / 4)));
  const out: EquityPoint[] = [];
  for (let b = 0; b < points.length; b += size) {
    const part = points.slice(b, Math.min(b + size, points.length));
    let lo = part[0]!;
    let hi = part[0]!;
    for (const p of part) {
      if (p.equity < lo.equity) lo = p;
      if (p.equity > hi.equity) hi = p;
    }
    out.push(...[...new Set([part[0]!, lo, hi, part[part.length - 1]!])].sort((x, y) => x.openTime - y.openTime));
  }
  return out;
}

/** Drawdown from the running peak at every point (a fraction <= 0), computed before any downsampling. */
export function drawdowns(points: readonly EquityPoint[]): EquityPoint[] {
  let peak = Number.NEGATIVE_INFINITY;
  return points.map((p) => {
    if (p.equity > peak) peak = p.equity;
    return { openTime: p.openTime, equity: peak > 0 ? p.equity / peak - 1 : 0 };
  });
}
