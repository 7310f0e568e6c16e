import { BAR_MS, type Bar } from '../../domain/bars';
import { mulberry32, normalSource } from '../../domain/seeded-random';
import { hourlyVolumeFactors, syntheticBars, syntheticParams, type SyntheticBarsOptions } from '../../domain/synthetic-bars';

const START = Date.UTC(2024, 0, 1); // a Monday, 00:00 UTC
const DAYS = 10;

function generate(options: Partial<SyntheticBarsOptions> = {}): Bar[] {
  return [...syntheticBars({ seed: 42, start: START, minutes: DAYS * 1440, price: 30_000, ...options })];
}

/** Sample autocorrelation of xs at `lag`. */
function autocorrelation(xs: readonly number[], lag: number): number {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    den += (xs[i]! - mean) ** 2;
    if (i >= lag) num += (xs[i]! - mean) * (xs[i - lag]! - mean);
  }
  return num / den;
}

const absLogReturns = (bars: readonly Bar[]) => bars.slice(1).map((b, i) => Math.abs(Math.log(b.close / bars[i]!.close)));

describe('syntheticBars: ten days from seed 42', () => {
  const bars = generate();

  test('the same seed gives the same bars; another seed gives others', () => {
    expect(generate()).toEqual(bars);
    const other = generate({ seed: 43 });
    expect(other).toHaveLength(bars.length);
    expect(other.filter((b, i) => b.close !== bars[i]!.close).length).toBeGreaterThan(bars.length * 0.9);
  });

  test('one bar per minute from the start, no gaps', () => {
    expect(bars).toHaveLength(14_400);
    bars.forEach((b, i) => expect(b.openTime).toBe(START + i * BAR_MS));
  });

  test('consistent OHLC: positive, high >= max(open, close), low <= min(open, close), open = previous close', () => {
    let bad = 0;
    bars.forEach((b, i) => {
      if (!(b.low > 0 && b.high >= Math.max(b.open, b.close) && b.low <= Math.min(b.open, b.close) && b.volume >= 0)) bad++;
      if (i > 0 && b.open !== bars[i - 1]!.close) bad++;
    });
    expect(bad).toBe(0);
    expect(bars[0]!.open).toBe(30_000);
  });

  test('prices are on the tick (0.1 at 30,000: about 6 significant digits)', () => {
    expect(syntheticParams(30_000).priceDecimals).toBe(1);
    expect(syntheticParams(1.5).priceDecimals).toBe(5);
    const offTick = bars.filter((b) => [b.open, b.high, b.low, b.close].some((x) => Math.abs(x * 10 - Math.round(x * 10)) > 1e-6));
    expect(offTick).toEqual([]);
  });

  test('about 2 % zero-volume minutes, each flat at the previous close', () => {
    const zero = bars.map((b, i) => ({ b, i })).filter(({ b }) => b.volume === 0);
    expect(zero.length / bars.length).toBeGreaterThan(0.01);
    expect(zero.length / bars.length).toBeLessThan(0.03);
    for (const { b, i } of zero) {
      expect([b.open, b.high, b.low, b.close]).toEqual(new Array(4).fill(i === 0 ? 30_000 : bars[i - 1]!.close));
    }
  });

  test('volume follows the UTC day: 17-19 h trade far more than the quiet 05-07 h', () => {
    const meanVolume = (hours: readonly number[]) => {
      const picked = bars.filter((b) => hours.includes(new Date(b.openTime).getUTCHours()));
      return picked.reduce((s, b) => s + b.volume, 0) / picked.length;
    };
    expect(meanVolume([17, 18, 19]) / meanVolume([5, 6, 7])).toBeGreaterThan(2);
    // The mean over the day stays near baseVolume (5).
    expect(meanVolume([...Array(24).keys()])).toBeGreaterThan(3.5);
    expect(meanVolume([...Array(24).keys()])).toBeLessThan(6.5);
  });

  test('volatility clusters: |r| is autocorrelated under GARCH, not when alpha = beta = 0 (i.i.d. returns)', () => {
    const garch = absLogReturns(bars);
    expect(autocorrelation(garch, 1)).toBeGreaterThan(0.08);
    expect(autocorrelation(garch, 30)).toBeGreaterThan(0.05);
    const iid = absLogReturns(generate({ params: { garchAlpha: 0, garchBeta: 0 } }));
    expect(Math.abs(autocorrelation(iid, 1))).toBeLessThan(0.03);
  });

  test('the realised volatility is close to annualVolatility (60 %)', () => {
    const r = bars.slice(1).map((b, i) => Math.log(b.close / bars[i]!.close));
    const annualised = Math.sqrt(r.reduce((s, x) => s + x * x, 0) / r.length) * Math.sqrt(525_600);
    expect(annualised).toBeGreaterThan(0.4);
    expect(annualised).toBeLessThan(0.8);
  });
});

describe('parameters and options', () => {
  test('hourly volume factors: mean 1, lowest at the quiet hour, highest 12 hours later, 3 x apart', () => {
    const f = hourlyVolumeFactors({ volumePeakRatio: 3, quietHourUtc: 6 });
    expect(f.reduce((s, x) => s + x, 0) / 24).toBeCloseTo(1, 12);
    expect(f.indexOf(Math.min(...f))).toBe(6);
    expect(f.indexOf(Math.max(...f))).toBe(18);
    expect(f[18]! / f[6]!).toBeCloseTo(3, 12);
    expect(f[5]).toBeCloseTo(f[7]!, 12); // symmetric around the quiet hour
  });

  test('bad parameters and options are refused by name', () => {
    expect(() => syntheticParams(30_000, { garchAlpha: 0.5, garchBeta: 0.6 })).toThrow(/garchAlpha \+ garchBeta must be < 1/);
    expect(() => syntheticParams(30_000, { zeroVolumeRate: 2 })).toThrow(/invalid parameter zeroVolumeRate/);
    expect(() => syntheticParams(0)).toThrow(/start price must be a positive number/);
    expect(() => generate({ minutes: 0 })).toThrow(/minutes must be a positive integer/);
    expect(() => generate({ start: START + 1 })).toThrow(/start must be Unix ms on a minute/);
    expect(() => generate({ seed: 1.5 })).toThrow(/seed must be an integer/);
  });

  test('a year streams in a few seconds', () => {
    const began = performance.now();
    let count = 0;
    for (const b of syntheticBars({ seed: 1, start: START, minutes: 525_600, price: 30_000 })) if (b.volume >= 0) count++;
    expect(count).toBe(525_600);
    expect(performance.now() - began).toBeLessThan(5_000);
  });
});

describe('seeded random numbers', () => {
  test('mulberry32 is reproducible and uniform on [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 100_000 }, () => a());
    expect(Array.from({ length: 100_000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 2);
  });

  test('Box-Muller normals have mean 0 and variance 1', () => {
    const normal = normalSource(mulberry32(11));
    const zs = Array.from({ length: 200_000 }, () => normal());
    const mean = zs.reduce((s, z) => s + z, 0) / zs.length;
    const variance = zs.reduce((s, z) => s + (z - mean) ** 2, 0) / zs.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(1, 1);
  });
});
