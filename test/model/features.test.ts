import { BAR_MS, type Bar } from '../../domain/bars';
import { FEATURE_NAMES, FeatureStream, N_FEATURES, WARMUP_BARS, computeFeatureMatrix, forwardReturns } from '../../model/features';
import { loadShippedBars } from '../helpers/shipped-data';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % BAR_MS);
const col = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, i])) as Record<(typeof FEATURE_NAMES)[number], number>;

/** Deterministic pseudo-random numbers in [0, 1) (tests must be reproducible). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function bar(i: number, close: number, volume: number, wiggle = 0): Bar {
  const open = close * (1 - wiggle / 2);
  return {
    openTime: T0 + i * BAR_MS,
    open,
    high: Math.max(open, close) * (1 + wiggle),
    low: Math.min(open, close) * (1 - wiggle),
    close,
    volume,
  };
}

/**
 * 170 bars: a random walk with some zero-volume bars (0..99), then a flat, zero-volume stretch (100..169)
 * where h = l = c, so the last rows exercise the VWAP, vol_ratio, std_ratio, range and correlation fallbacks.
 */
function syntheticBars(): Bar[] {
  const rnd = lcg(7);
  const bars: Bar[] = [];
  let c = 100;
  for (let i = 0; i < 100; i++) {
    c *= 1 + (rnd() - 0.5) * 0.004;
    bars.push(bar(i, c, i % 7 === 3 ? 0 : 1 + rnd() * 5, rnd() * 0.002));
  }
  for (let i = 100; i < 170; i++) bars.push(bar(i, 101.5, 0));
  return bars;
}

// ---- Naive reference formulas, written straight from docs/features.md (independent of the implementation) ----
const last = <T>(xs: T[], n: number): T[] => xs.slice(Math.max(0, xs.length - n));
const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function sampleSd(xs: number[]): number {
  const m = avg(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}
function ema(closes: number[], n: number): number {
  const a = 2 / (n + 1);
  let e = closes[0]!;
  for (let i = 1; i < closes.length; i++) e = a * closes[i]! + (1 - a) * e;
  return e;
}
function naiveFeatures(bars: Bar[], t: number): Record<string, number> {
  const hist = bars.slice(0, t + 1);
  const c = hist.map((b) => b.close);
  const ct = c[t]!;
  const ret1At = (i: number): number => c[i]! / c[i - 1]! - 1;
  const ret5At = (i: number): number => c[i]! / c[i - 5]! - 1;
  const rets = Array.from({ length: 60 }, (_, k) => ret1At(t - 59 + k));
  const w60 = last(hist, 60);
  const sumV = w60.reduce((a, b) => a + b.volume, 0);
  const tps = w60.map((b) => (b.high + b.low + b.close) / 3);
  const vwap = sumV === 0 ? avg(tps) : w60.reduce((a, b, k) => a + tps[k]! * b.volume, 0) / sumV;
  let ag = 0;
  let al = 0;
  for (let i = 1; i <= t; i++) {
    const d = c[i]! - c[i - 1]!;
    const g = Math.max(d, 0);
    const l = Math.max(-d, 0);
    ag = i === 1 ? g : g / 14 + (1 - 1 / 14) * ag;
    al = i === 1 ? l : l / 14 + (1 - 1 / 14) * al;
  }
  const rsi = al === 0 ? (ag > 0 ? 100 : 50) : 100 - 100 / (1 + ag / al);
  const std15 = sampleSd(last(rets, 15));
  const std60 = sampleSd(rets);
  const spreads = last(hist, 15).map((b) => (b.high - b.low) / b.close);
  const meanV = sumV / 60;
  const r15 = last(rets, 15);
  const dlv = Array.from({ length: 15 }, (_, k) => Math.log(1 + hist[t - 14 + k]!.volume) - Math.log(1 + hist[t - 15 + k]!.volume));
  const vr = sampleSd(r15) ** 2;
  const vd = sampleSd(dlv) ** 2;
  const mr = avg(r15);
  const md = avg(dlv);
  const cov = r15.reduce((a, x, k) => a + (x - mr) * (dlv[k]! - md), 0) / 14;
  const maxH = Math.max(...w60.map((b) => b.high));
  const minL = Math.min(...w60.map((b) => b.low));
  return {
    ret_1: ret1At(t),
    ret_5: ret5At(t),
    ret_15: ct / c[t - 15]! - 1,
    ema12_gap: ct / ema(c, 12) - 1,
    ema26_gap: ct / ema(c, 26) - 1,
    ema60_gap: ct / ema(c, 60) - 1,
    macd: (ema(c, 12) - ema(c, 26)) / ct,
    vwap60_gap: ct / vwap - 1,
    sma30_gap: ct / avg(last(c, 30)) - 1,
    rsi14: rsi,
    accel: ret5At(t) - ret5At(t - 5),
    std15,
    std60,
    std_ratio: std60 === 0 ? 1 : std15 / std60,
    spread: (hist[t]!.high - hist[t]!.low) / ct,
    spread_ma15: avg(spreads),
    vol_ratio: meanV === 0 ? 0 : hist[t]!.volume / meanV,
    vol_price_div: vr === 0 || vd === 0 ? 0 : cov / Math.sqrt(vr * vd),
    range_pos60: maxH === minL ? 0.5 : (ct - minL) / (maxH - minL),
  };
}

function row(matrix: Float64Array, t: number): Float64Array {
  return matrix.subarray(t * N_FEATURES, (t + 1) * N_FEATURES);
}

function expectMatchesNaive(bars: Bar[], matrix: Float64Array, t: number): void {
  const expected = naiveFeatures(bars, t);
  const actual = row(matrix, t);
  for (const name of FEATURE_NAMES) {
    const e = expected[name]!;
    const a = actual[col[name]]!;
    const tolerance = 1e-11 * Math.max(1, Math.abs(e));
    if (!(Math.abs(a - e) <= tolerance)) throw new Error(`row ${t} ${name}: got ${a}, naive ${e}`);
  }
}

describe('computeFeatureMatrix on a small synthetic series', () => {
  const bars = syntheticBars();
  const m = computeFeatureMatrix(bars);

  it('has one row of 19 features per bar, in the documented order', () => {
    expect(FEATURE_NAMES).toHaveLength(N_FEATURES);
    expect(m).toHaveLength(bars.length * N_FEATURES);
    expect(FEATURE_NAMES[0]).toBe('ret_1');
    expect(FEATURE_NAMES[18]).toBe('range_pos60');
  });

  it('matches naive formulas on every row after warm-up, including partly zero-volume windows', () => {
    for (let t = WARMUP_BARS; t < bars.length; t++) expectMatchesNaive(bars, m, t);
  });

  it('applies the fallbacks once the last 60 bars are flat with zero volume', () => {
    const r = row(m, 169);
    expect(r[col.vwap60_gap]).toBe(0); // VWAP = mean(tp) = the flat price
    expect(r[col.vol_ratio]).toBe(0);
    expect(r[col.std60]).toBe(0);
    expect(r[col.std_ratio]).toBe(1);
    expect(r[col.range_pos60]).toBe(0.5);
    expect(r[col.vol_price_div]).toBe(0);
    expect(r[col.spread]).toBe(0);
    // Earlier losses keep avg_loss > 0: RSI decays but is no fallback here.
    expect(r[col.rsi14]).toBeGreaterThan(0);
    expect(r[col.rsi14]).toBeLessThan(100);
  });

  it('falls back to VWAP = mean(tp) when the 60-bar volume is zero while prices move', () => {
    const rnd = lcg(5);
    let c = 100;
    const moving = Array.from({ length: 140 }, (_, i) => {
      c *= 1 + (rnd() - 0.5) * 0.01;
      return bar(i, c, i < 20 ? 3 : 0, 0.001);
    });
    const mm = computeFeatureMatrix(moving);
    for (let t = WARMUP_BARS; t < moving.length; t++) expectMatchesNaive(moving, mm, t);
    expect(row(mm, 139)[col.vwap60_gap]).not.toBe(0);
    expect(row(mm, 139)[col.vol_ratio]).toBe(0);
  });

  it('gives RSI 50 for a history that never moved and 100 for one that only rose', () => {
    const flat = computeFeatureMatrix(Array.from({ length: 130 }, (_, i) => bar(i, 50, 0)));
    const rising = computeFeatureMatrix(Array.from({ length: 130 }, (_, i) => bar(i, 50 + i * 0.25, 2)));
    for (let t = 0; t < 130; t++) {
      expect(row(flat, t)[col.rsi14]).toBe(50);
      expect(row(flat, t)[col.range_pos60]).toBe(0.5);
      expect(row(flat, t)[col.std_ratio]).toBe(1);
      expect(row(flat, t)[col.vol_ratio]).toBe(0);
      if (t > 0) expect(row(rising, t)[col.rsi14]).toBe(100);
    }
    // Constant volume: dlv has zero variance, so the correlation falls back to 0 although prices move.
    expect(row(rising, 129)[col.vol_price_div]).toBe(0);
    expect(row(rising, 129)[col.vol_ratio]).toBe(1);
  });

  it('rejects a gap, a bad bar and an inconsistent bar with messages naming them', () => {
    const gapped = [...bars.slice(0, 10), ...bars.slice(11)];
    expect(() => computeFeatureMatrix(gapped)).toThrow(/contiguous.*2 minutes later/);
    expect(() => computeFeatureMatrix([{ ...bars[0]!, close: 0 }])).toThrow(/Invalid close/);
    expect(() => computeFeatureMatrix([{ ...bars[0]!, volume: NaN }])).toThrow(/Invalid volume/);
    expect(() => computeFeatureMatrix([{ ...bars[0]!, high: bars[0]!.close / 2 }])).toThrow(/Inconsistent OHLC/);
  });
});

describe('computeFeatureMatrix on the shipped dataset', () => {
  const bars = loadShippedBars();
  const m = computeFeatureMatrix(bars);

  it('is finite everywhere, warm-up included, despite the zero-volume bars', () => {
    expect(bars).toHaveLength(30_240);
    expect(bars.filter((b) => b.volume === 0).length).toBe(658);
    let bad = 0;
    for (const x of m) if (!Number.isFinite(x)) bad++;
    expect(bad).toBe(0);
  });

  it('matches naive formulas on sampled rows', () => {
    const rnd = lcg(11);
    const rows = [WARMUP_BARS, bars.length - 1];
    for (let k = 0; k < 8; k++) rows.push(WARMUP_BARS + Math.floor(rnd() * (bars.length - WARMUP_BARS)));
    // Include rows right after zero-volume bars.
    rows.push(bars.findIndex((b, i) => i > WARMUP_BARS && b.volume === 0));
    for (const t of rows) expectMatchesNaive(bars, m, t);
  });

  it('has no lookahead: perturbing every bar after t changes nothing at rows <= t', () => {
    const rnd = lcg(3);
    for (const t of [WARMUP_BARS + 5, 12_345, bars.length - 100]) {
      const perturbed = bars.map((b, i) => {
        if (i <= t) return b;
        const f = 1 + (rnd() - 0.5) * 0.02;
        return { ...b, open: b.open * f, high: b.high * f * 1.001, low: b.low * f, close: b.close * f, volume: b.volume * 2 + 1 };
      });
      const mp = computeFeatureMatrix(perturbed);
      const prefix = (t + 1) * N_FEATURES;
      expect(Buffer.from(mp.buffer, 0, prefix * 8).equals(Buffer.from(m.buffer, 0, prefix * 8))).toBe(true);
      // The perturbation is effective: the next row differs.
      expect(Array.from(row(mp, t + 1))).not.toEqual(Array.from(row(m, t + 1)));
    }
  });

  it('FeatureStream agrees bit for bit with the batch form on every bar, and is null during warm-up', () => {
    const stream = new FeatureStream();
    let mismatches = 0;
    for (let t = 0; t < bars.length; t++) {
      const out = stream.push(bars[t]!);
      if (t < WARMUP_BARS) {
        expect(out).toBeNull();
        continue;
      }
      const ref = row(m, t);
      for (let k = 0; k < N_FEATURES; k++) if (!Object.is(out![k], ref[k])) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(stream.count).toBe(bars.length);
    expect(stream.lastOpenTime).toBe(bars[bars.length - 1]!.openTime);
  });

  it('FeatureStream resumes identically from a JSON round trip of its state, at any point', () => {
    for (const cut of [0, 1, 7, 59, WARMUP_BARS, 5_000]) {
      const original = new FeatureStream();
      for (let t = 0; t < cut; t++) original.push(bars[t]!);
      const restored = FeatureStream.fromState(JSON.parse(JSON.stringify(original.toState())));
      expect(restored.count).toBe(cut);
      for (let t = cut; t < cut + 400; t++) {
        const a = restored.push(bars[t]!);
        const b = original.push(bars[t]!);
        if (t < WARMUP_BARS) {
          expect(a).toBeNull();
          continue;
        }
        expect(Buffer.from(a!.buffer).equals(Buffer.from(row(m, t).slice().buffer))).toBe(true);
        expect(Buffer.from(b!.buffer).equals(Buffer.from(a!.buffer))).toBe(true);
      }
    }
  });

  it('computes the whole dataset quickly', () => {
    const start = performance.now();
    computeFeatureMatrix(bars);
    // Loose bound: the machine is shared; the figure measured in isolation is in the report.
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe('FeatureStream', () => {
  const bars = syntheticBars();

  it('rejects a bar that is not exactly one minute after the previous one, and stays usable', () => {
    const stream = new FeatureStream();
    stream.push(bars[0]!);
    expect(() => stream.push(bars[2]!)).toThrow(/contiguous/);
    expect(() => stream.push(bars[0]!)).toThrow(/contiguous/);
    expect(stream.count).toBe(1);
    expect(() => stream.push(bars[1]!)).not.toThrow();
  });

  it('rejects a malformed or inconsistent state', () => {
    const stream = new FeatureStream();
    for (let t = 0; t < 30; t++) stream.push(bars[t]!);
    const state = stream.toState();
    expect(() => FeatureStream.fromState({ ...state, closes: state.closes.slice(1) })).toThrow(/window closes holds 29 values, expected 30/);
    expect(() => FeatureStream.fromState({ ...state, ema12: null })).toThrow(/Invalid FeatureStream state/);
    expect(() => FeatureStream.fromState({ ...state, version: 2 })).toThrow(/Invalid FeatureStream state/);
  });

  it('keeps bounded state (windows of at most 60 values)', () => {
    const stream = new FeatureStream();
    for (const b of bars) stream.push(b);
    const state = stream.toState();
    expect(state.closes).toHaveLength(60);
    expect(state.ret5).toHaveLength(6);
    expect(state.dlv).toHaveLength(15);
    expect(JSON.stringify(state).length).toBeLessThan(20_000);
  });
});

describe('forwardReturns', () => {
  it('is c[t+H] / c[t] - 1, NaN for the last H bars', () => {
    const closes = [100, 101, 99, 102, 104];
    const bars = closes.map((c, i) => bar(i, c, 1));
    const y = forwardReturns(bars, 2);
    expect(y[0]).toBeCloseTo(99 / 100 - 1, 15);
    expect(y[1]).toBeCloseTo(102 / 101 - 1, 15);
    expect(y[2]).toBeCloseTo(104 / 99 - 1, 15);
    expect(Number.isNaN(y[3])).toBe(true);
    expect(Number.isNaN(y[4])).toBe(true);
  });

  it('rejects a gap and a non-integer horizon', () => {
    const bars = [bar(0, 1, 1), bar(2, 1, 1)];
    expect(() => forwardReturns(bars, 1)).toThrow(/contiguous/);
    expect(() => forwardReturns([bar(0, 1, 1)], 1.5)).toThrow(/horizon/);
  });
});
