import { runInNewContext } from 'node:vm';
import { CHUNK_BARS, decodeChunk, DECODE_CHUNK_JS, encodeDetailChunks, priceTick } from '../../reports/detail-chunks';
import { jsonScriptTag, safeJson } from '../../reports/json-script';
import { buildChartData, buyAndHold, detailWindow, importanceShares } from '../../reports/report-charts';
import { equityCurve, T0, trades } from './fixtures';

const MIN = 60_000;
const bars = Array.from({ length: 3_000 }, (_, k) => {
  const o = 20_000 + 50 * Math.sin(k / 40);
  const c = o + 3 * Math.cos(k);
  return { openTime: T0 + (k >= 2_000 ? k + 5 : k) * MIN, open: o, high: Math.max(o, c) + 1.234, low: Math.min(o, c) - 0.87, close: c };
}); // a 5-minute gap after bar 1999
// The page's decoder, run here as the browser runs it.
const browserDecode = runInNewContext(`${DECODE_CHUNK_JS}; decodeChunk`) as typeof decodeChunk;

describe('detail chunks', () => {
  const tick = priceTick(bars);
  const chunks = encodeDetailChunks(bars, (t) => (t === bars[7]!.openTime ? null : 0.000812345), tick);

  it('uses about 6 significant digits of the price as its tick', () => {
    expect(tick).toBe(0.1);
    expect(priceTick([{ ...bars[0]!, close: 0.05 }])).toBe(1e-7);
  });

  it('splits at gaps and at CHUNK_BARS minutes, and decodes to the bars rounded to the tick', () => {
    expect(chunks.map((c) => c.q.length)).toEqual([CHUNK_BARS, 2_000 - CHUNK_BARS, 1_000]);
    expect(chunks[2]!.t).toBe(bars[2_000]!.openTime);
    const decoded = chunks.flatMap((c) => decodeChunk(c, tick).candles);
    const r = (x: number): number => Math.round(x / tick) * tick;
    decoded.forEach((d, i) => {
      const b = bars[i]!;
      expect(d[0]).toBe(b.openTime);
      [r(b.open), r(b.close), r(b.low), r(b.high)].forEach((v, j) => expect(Math.abs(d[j + 1]! - v)).toBeLessThan(1e-6));
    });
    expect(decodeChunk(chunks[0]!, tick).predictions[7]).toEqual([bars[7]!.openTime, null]);
    expect(decodeChunk(chunks[0]!, tick).predictions[8]).toEqual([bars[8]!.openTime, 0.00081]);
  });

  it('decodes the same in the page (DECODE_CHUNK_JS) as in Node', () => {
    for (const c of chunks) expect(browserDecode(c, tick)).toEqual(decodeChunk(c, tick));
  });
});

describe('chart data', () => {
  const equity = equityCurve(3_000, (k) => 10_000 + k);
  const input = {
    bars,
    predictions: { openTime: bars.map((b) => b.openTime), prediction: bars.map(() => 0.0005) },
    modelQuality: [{ version: 'v1', trainedAt: T0, ic: 0.05, rmse: 0.99, baselineRmse: 1, bestIteration: 40 }],
    featureImportance: [
      { a: 3, b: 1 },
      { a: 1, b: 1 },
      { a: 0, b: 0 },
    ],
  };
  const data = buildChartData(input, equity, trades, [T0, T0 + 3_005 * MIN]);

  it('bounds the overview and embeds every minute in the detail', () => {
    expect(data.overview.bucket).toBe(5 * MIN);
    expect(data.overview.candles.length).toBeLessThanOrEqual(data.maxCandles);
    expect(detailWindow(data, T0, T0 + 3_005 * MIN)).toHaveLength(3_000);
    expect(detailWindow(data, T0 + 10 * MIN, T0 + 20 * MIN).map((c) => c[0])).toEqual(Array.from({ length: 10 }, (_, k) => T0 + (10 + k) * MIN));
    expect(data.models).toEqual([[T0, 0.05, 0.99, 40]]);
  });

  it('encodes trades as integers relative to the range start and the tick', () => {
    expect(data.trades[0]).toEqual([0, 5, 3, 15, 224568, 12.5, 0]); // LONG, entry at minute 5, held 15 minutes
    expect(data.exitReasons).toEqual(['take_profit', 'stop_loss']);
  });

  it('averages each model share of the gain, skipping models without any', () => {
    expect(importanceShares(input.featureImportance)).toEqual([
      ['a', 0.625],
      ['b', 0.375],
    ]);
    expect(importanceShares([])).toEqual([]);
  });

  it('buys and holds from the first open on the equity curve times', () => {
    const hold = buyAndHold(bars.slice(0, 2), 1_000);
    expect(hold.map((p) => p.openTime)).toEqual([T0, T0 + MIN, T0 + 2 * MIN]);
    expect(hold[2]!.equity).toBeCloseTo((1_000 * bars[1]!.close) / bars[0]!.open, 9);
  });
});

describe('JSON inside <script>', () => {
  it('cannot close the element or open a comment, and parses back to the same value', () => {
    const value = { text: '</script><script>alert(1)</script><!-- & \u2028' };
    const json = safeJson(value);
    expect(json).not.toMatch(/<|>|&|\u2028/);
    expect(JSON.parse(json)).toEqual(value);
    expect(jsonScriptTag('d"x', value)).toMatch(/^<script type="application\/json" id="d&quot;x">[^<]*<\/script>$/);
  });
});
