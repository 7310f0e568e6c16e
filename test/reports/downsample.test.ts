import { runInNewContext } from 'node:vm';
import { aggregateCandles, bucketMeans, bucketMs, drawdowns, extremes } from '../../reports/downsample';
import { AGGREGATE_JS } from '../../reports/report-script';
import { equityCurve, T0 } from './fixtures';

const MIN = 60_000;
const bar = (k: number, o: number, h: number, l: number, c: number) => ({ openTime: T0 + k * MIN, open: o, high: h, low: l, close: c });

// The page's copies of aggregateCandles and bucketMeans, run here as the browser runs them.
const browser = runInNewContext(`${AGGREGATE_JS}; ({ aggregate: aggregate, means: means })`) as {
  aggregate(candles: number[][], bucket: number): number[][];
  means(points: (number | null)[][], bucket: number): number[][];
};

describe('downsampling', () => {
  it('picks the smallest nice bucket that bounds the candle count', () => {
    expect(bucketMs(2_000 * MIN, 2_000)).toBe(MIN);
    expect(bucketMs(2_001 * MIN, 2_000)).toBe(5 * MIN);
    // A year: 2190 four-hour candles would be too many, 1095 eight-hour ones fit.
    expect(bucketMs(365 * 1440 * MIN, 2_000)).toBe(480 * MIN);
  });

  it('aggregates OHLC per UTC-aligned bucket: first open, max high, min low, last close', () => {
    const bars = [bar(3, 10, 12, 9, 11), bar(4, 11, 15, 10, 14), bar(5, 14, 14, 7, 8), bar(6, 8, 9, 8, 9)];
    expect(aggregateCandles(bars, 5 * MIN)).toEqual([
      [T0, 10, 14, 9, 15],
      [T0 + 5 * MIN, 14, 9, 7, 14],
    ]);
    expect(aggregateCandles([], 5 * MIN)).toEqual([]);
    expect(
      browser.aggregate(
        bars.map((b) => [b.openTime, b.open, b.close, b.low, b.high]),
        5 * MIN,
      ),
    ).toEqual(aggregateCandles(bars, 5 * MIN));
  });

  it('averages values per bucket, skipping nulls, in the page as in Node', () => {
    const times = [0, 1, 2, 5, 6].map((k) => T0 + k * MIN);
    const values = [1, null, 3, null, 10];
    expect(bucketMeans(times, values, 5 * MIN)).toEqual([
      [T0, 2],
      [T0 + 5 * MIN, 10],
    ]);
    expect(
      browser.means(
        times.map((t, i) => [t, values[i]!]),
        5 * MIN,
      ),
    ).toEqual(bucketMeans(times, values, 5 * MIN));
  });

  it('keeps the extremes of a long curve within the point budget', () => {
    const curve = equityCurve(100_000, (k) => (k === 54_321 ? 5_000 : k === 77_777 ? 20_000 : 10_000 + (k % 3)));
    const kept = extremes(curve, 4_000);
    expect(kept.length).toBeLessThanOrEqual(4_000);
    expect(Math.min(...kept.map((p) => p.equity))).toBe(5_000);
    expect(Math.max(...kept.map((p) => p.equity))).toBe(20_000);
    expect(kept[0]).toEqual(curve[0]);
    expect(kept[kept.length - 1]).toEqual(curve[curve.length - 1]);
  });

  it('measures drawdowns from the running peak', () => {
    const dd = drawdowns(equityCurve(3, (k) => [100, 120, 90, 130][k]!)).map((p) => p.equity);
    expect(dd).toEqual([0, 0, 90 / 120 - 1, 0]);
  });
});
