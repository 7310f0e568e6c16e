/**
 * The 19 model features of docs/features.md, computed for each closed 1-minute bar from that bar and
 * earlier ones only. One engine serves every caller: `computeFeatureMatrix` (backtest, retraining) literally
 * drives the same incremental `FeatureEngine` as `FeatureStream` (live), so both forms agree bit for bit.
 *
 * Features depend on where the history starts: EMAs are seeded with the first close and RSI averages with
 * the first difference. Live trading and a backtest therefore give identical features for a bar only when
 * their histories start at the same bar; the 120-bar warm-up makes the difference negligible otherwise.
 */
import { z } from 'zod';
import { BAR_MS, type Bar } from '../domain/bars';

export const FEATURE_NAMES = [
  'ret_1',
  'ret_5',
  'ret_15',
  'ema12_gap',
  'ema26_gap',
  'ema60_gap',
  'macd',
  'vwap60_gap',
  'sma30_gap',
  'rsi14',
  'accel',
  'std15',
  'std60',
  'std_ratio',
  'spread',
  'spread_ma15',
  'vol_ratio',
  'vol_price_div',
  'range_pos60',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
export const N_FEATURES = 19;
/** The first WARMUP_BARS bars of a contiguous history (indices 0..119) are never used. */
export const WARMUP_BARS = 120;

const EMA12_ALPHA = 2 / 13;
const EMA26_ALPHA = 2 / 27;
const EMA60_ALPHA = 2 / 61;
const RSI_ALPHA = 1 / 14;

/**
 * Fixed-capacity window over the latest values. Each value is written twice (at `i` and `i + capacity`),
 * so the last `n` values always sit contiguously, oldest first, in `buf[end - n .. end)`: windows are summed
 * by direct summation in chronological order, with no drifting running sums and no modulo in inner loops.
 */
class Window {
  readonly buf: Float64Array;
  private pos = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(2 * capacity);
  }

  get length(): number {
    return this.filled;
  }

  /** One past the newest value; the window of the last n values is buf[end - n .. end). */
  get end(): number {
    return this.pos === 0 ? 2 * this.capacity : this.pos + this.capacity;
  }

  push(x: number): void {
    this.buf[this.pos] = x;
    this.buf[this.pos + this.capacity] = x;
    this.pos = this.pos + 1 === this.capacity ? 0 : this.pos + 1;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Value k bars back (0 = newest); before k bars exist it is the oldest value (lookbacks clamp to the start). */
  ago(k: number): number {
    const back = k < this.filled ? k : this.filled - 1;
    return this.buf[this.end - 1 - back]!;
  }

  /** Values oldest first (for serialisation). */
  values(): number[] {
    const end = this.end;
    return Array.from(this.buf.subarray(end - this.filled, end));
  }
}

/** Sample standard deviation (n-1) of buf[from..to); exactly 0 for fewer than 2 values or identical values. */
function sampleStd(buf: Float64Array, from: number, to: number): number {
  const n = to - from;
  if (n < 2) return 0;
  const first = buf[from]!;
  let sum = 0;
  let constant = true;
  for (let i = from; i < to; i++) {
    const x = buf[i]!;
    sum += x;
    if (x !== first) constant = false;
  }
  // Rounding in the mean would otherwise turn a constant window into a tiny non-zero deviation.
  if (constant) return 0;
  const mean = sum / n;
  let ss = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

function mean(buf: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += buf[i]!;
  return sum / (to - from);
}

/** Pearson correlation of two equally long windows; 0 when either side is constant (zero variance). */
function correlation(xs: Float64Array, xFrom: number, ys: Float64Array, yFrom: number, n: number): number {
  if (n < 2) return 0;
  const x0 = xs[xFrom]!;
  const y0 = ys[yFrom]!;
  let sx = 0;
  let sy = 0;
  let xConstant = true;
  let yConstant = true;
  for (let k = 0; k < n; k++) {
    const x = xs[xFrom + k]!;
    const y = ys[yFrom + k]!;
    sx += x;
    sy += y;
    if (x !== x0) xConstant = false;
    if (y !== y0) yConstant = false;
  }
  if (xConstant || yConstant) return 0;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let k = 0; k < n; k++) {
    const dx = xs[xFrom + k]! - mx;
    const dy = ys[yFrom + k]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  // sqrt separately so tiny variances cannot underflow to a zero denominator.
  const denom = Math.sqrt(sxx) * Math.sqrt(syy);
  if (!(denom > 0)) return 0;
  const r = sxy / denom;
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

function describeBar(bar: Bar): string {
  return `bar ${bar.openTime} (o=${bar.open} h=${bar.high} l=${bar.low} c=${bar.close} v=${bar.volume})`;
}

/** Rejects bars that would make a feature NaN/Infinity or meaningless (e.g. a close outside [low, high]). */
function assertValidBar(bar: Bar): void {
  const { openTime, open, high, low, close, volume } = bar;
  if (!Number.isSafeInteger(openTime)) throw new Error(`Invalid openTime in ${describeBar(bar)}: expected integer Unix ms`);
  for (const [name, x] of [
    ['open', open],
    ['high', high],
    ['low', low],
    ['close', close],
  ] as const) {
    if (!Number.isFinite(x) || x <= 0) throw new Error(`Invalid ${name} in ${describeBar(bar)}: prices must be finite and > 0`);
  }
  if (!Number.isFinite(volume) || volume < 0) throw new Error(`Invalid volume in ${describeBar(bar)}: must be finite and >= 0`);
  if (low > Math.min(open, close) || high < Math.max(open, close)) {
    throw new Error(`Inconsistent OHLC in ${describeBar(bar)}: need low <= open, close <= high`);
  }
}

/** Serialisable snapshot of a FeatureStream (plain JSON; windows listed oldest first). */
export interface FeatureStreamState {
  readonly version: 1;
  /** Bars seen since the start of the history. */
  readonly count: number;
  readonly lastOpenTime: number | null;
  readonly ema12: number;
  readonly ema26: number;
  readonly ema60: number;
  readonly avgGain: number;
  readonly avgLoss: number;
  readonly lastLogVolume: number;
  readonly closes: number[];
  readonly ret1: number[];
  readonly ret5: number[];
  readonly tp: number[];
  readonly volume: number[];
  readonly high: number[];
  readonly low: number[];
  readonly spread: number[];
  readonly dlv: number[];
}

const finite = z.number().refine(Number.isFinite, 'must be finite');
const featureStreamStateSchema = z.object({
  version: z.literal(1),
  count: z.number().int().nonnegative(),
  lastOpenTime: z.number().int().nullable(),
  ema12: finite,
  ema26: finite,
  ema60: finite,
  avgGain: finite,
  avgLoss: finite,
  lastLogVolume: finite,
  closes: z.array(finite),
  ret1: z.array(finite),
  ret5: z.array(finite),
  tp: z.array(finite),
  volume: z.array(finite),
  high: z.array(finite),
  low: z.array(finite),
  spread: z.array(finite),
  dlv: z.array(finite),
});

/** Window capacities: the longest lookback each series needs. */
const CAPACITY = {
  closes: 60, // c_{t-15} and SMA30
  ret1: 60, // std60 (std15 and the correlation use its last 15)
  ret5: 6, // ret_5_{t-5} for accel
  tp: 60,
  volume: 60,
  high: 60,
  low: 60,
  spread: 15,
  dlv: 15,
} as const;
type WindowName = keyof typeof CAPACITY;
const WINDOW_NAMES = Object.keys(CAPACITY) as WindowName[];

/**
 * The incremental feature computation. Before a window has filled, it covers the bars seen so far and lookbacks
 * clamp to the first bar (so ret_k is 0 at the first bar): those warm-up values are finite but not the spec's.
 */
class FeatureEngine {
  count = 0;
  lastOpenTime: number | null = null;
  ema12 = 0;
  ema26 = 0;
  ema60 = 0;
  avgGain = 0;
  avgLoss = 0;
  lastLogVolume = 0;
  readonly w: Record<WindowName, Window>;

  constructor() {
    const w = {} as Record<WindowName, Window>;
    for (const name of WINDOW_NAMES) w[name] = new Window(CAPACITY[name]);
    this.w = w;
  }

  /** Consumes the next bar of the history and writes its 19 features to out[offset .. offset + 19). */
  step(bar: Bar, out: Float64Array, offset: number): void {
    assertValidBar(bar);
    if (this.lastOpenTime !== null && bar.openTime !== this.lastOpenTime + BAR_MS) {
      throw new Error(
        `Bars must form a contiguous 1-minute history: bar ${bar.openTime} follows ${this.lastOpenTime}` +
          ` (expected ${this.lastOpenTime + BAR_MS}, ${(bar.openTime - this.lastOpenTime) / BAR_MS} minutes later)`,
      );
    }
    const { high: h, low: l, close: c, volume: v } = bar;
    const w = this.w;
    const first = this.count === 0;

    // Returns against earlier closes.
    const prevClose = first ? c : w.closes.ago(0);
    w.closes.push(c);
    const ret1 = c / prevClose - 1;
    const ret5 = c / w.closes.ago(5) - 1;
    const ret15 = c / w.closes.ago(15) - 1;
    w.ret1.push(ret1);
    w.ret5.push(ret5);
    const accel = ret5 - w.ret5.ago(5);

    // EMAs seeded with the first close (pandas ewm(span=n, adjust=False)).
    if (first) {
      this.ema12 = c;
      this.ema26 = c;
      this.ema60 = c;
    } else {
      this.ema12 = EMA12_ALPHA * c + (1 - EMA12_ALPHA) * this.ema12;
      this.ema26 = EMA26_ALPHA * c + (1 - EMA26_ALPHA) * this.ema26;
      this.ema60 = EMA60_ALPHA * c + (1 - EMA60_ALPHA) * this.ema60;
    }

    // Wilder RSI: averages start at the first difference (bar 1).
    if (!first) {
      const d = c - prevClose;
      const gain = d > 0 ? d : 0;
      const loss = d < 0 ? -d : 0;
      if (this.count === 1) {
        this.avgGain = gain;
        this.avgLoss = loss;
      } else {
        this.avgGain = RSI_ALPHA * gain + (1 - RSI_ALPHA) * this.avgGain;
        this.avgLoss = RSI_ALPHA * loss + (1 - RSI_ALPHA) * this.avgLoss;
      }
    }
    let rsi: number;
    if (this.avgLoss === 0) rsi = this.avgGain > 0 ? 100 : 50;
    else rsi = 100 - 100 / (1 + this.avgGain / this.avgLoss);

    // VWAP60 and mean volume over 60 (tp and volume windows advance in lockstep, so they share indices).
    w.tp.push((h + l + c) / 3);
    w.volume.push(v);
    const n60 = w.volume.length;
    const vEnd = w.volume.end;
    const tpBuf = w.tp.buf;
    const vBuf = w.volume.buf;
    let sumV = 0;
    let sumTpV = 0;
    let sumTp = 0;
    for (let i = vEnd - n60; i < vEnd; i++) {
      const tp = tpBuf[i]!;
      const vol = vBuf[i]!;
      sumV += vol;
      sumTpV += tp * vol;
      sumTp += tp;
    }
    const vwap = sumV > 0 ? sumTpV / sumV : sumTp / n60;
    const volRatio = sumV > 0 ? v / (sumV / n60) : 0;

    // SMA30 of closes.
    const nSma = Math.min(30, w.closes.length);
    const sma30 = mean(w.closes.buf, w.closes.end - nSma, w.closes.end);

    // Volatility of ret_1.
    const rEnd = w.ret1.end;
    const n15 = Math.min(15, w.ret1.length);
    const std15 = sampleStd(w.ret1.buf, rEnd - n15, rEnd);
    const std60 = sampleStd(w.ret1.buf, rEnd - w.ret1.length, rEnd);
    const stdRatio = std60 === 0 ? 1 : std15 / std60;

    // Bar range.
    const spread = (h - l) / c;
    w.spread.push(spread);
    const spreadMa15 = mean(w.spread.buf, w.spread.end - w.spread.length, w.spread.end);

    // Volume/price divergence: correlation of ret_1 and the log-volume change over 15.
    const logV = Math.log1p(v);
    w.dlv.push(first ? 0 : logV - this.lastLogVolume);
    this.lastLogVolume = logV;
    const volPriceDiv = correlation(w.ret1.buf, rEnd - n15, w.dlv.buf, w.dlv.end - n15, n15);

    // Position of the close in the 60-bar range.
    w.high.push(h);
    w.low.push(l);
    let maxH = -Infinity;
    let minL = Infinity;
    const hBuf = w.high.buf;
    const lBuf = w.low.buf;
    const hEnd = w.high.end;
    for (let i = hEnd - w.high.length; i < hEnd; i++) {
      if (hBuf[i]! > maxH) maxH = hBuf[i]!;
      if (lBuf[i]! < minL) minL = lBuf[i]!;
    }
    const range = maxH - minL;
    const rangePos = range > 0 ? (c - minL) / range : 0.5;

    out[offset] = ret1;
    out[offset + 1] = ret5;
    out[offset + 2] = ret15;
    out[offset + 3] = c / this.ema12 - 1;
    out[offset + 4] = c / this.ema26 - 1;
    out[offset + 5] = c / this.ema60 - 1;
    out[offset + 6] = (this.ema12 - this.ema26) / c;
    out[offset + 7] = c / vwap - 1;
    out[offset + 8] = c / sma30 - 1;
    out[offset + 9] = rsi;
    out[offset + 10] = accel;
    out[offset + 11] = std15;
    out[offset + 12] = std60;
    out[offset + 13] = stdRatio;
    out[offset + 14] = spread;
    out[offset + 15] = spreadMa15;
    out[offset + 16] = volRatio;
    out[offset + 17] = volPriceDiv;
    out[offset + 18] = rangePos;

    this.count++;
    this.lastOpenTime = bar.openTime;
  }
}

/**
 * Features of every bar of a contiguous history that starts at bars[0]: row-major, bars.length x N_FEATURES
 * (row i at [i * 19, (i + 1) * 19)). Rows 0..WARMUP_BARS-1 are computed (finite) but are warm-up and must not
 * be used for training, prediction or trading. Throws on a gap or an invalid bar. O(n).
 */
export function computeFeatureMatrix(bars: readonly Bar[]): Float64Array {
  const out = new Float64Array(bars.length * N_FEATURES);
  const engine = new FeatureEngine();
  for (let i = 0; i < bars.length; i++) engine.step(bars[i]!, out, i * N_FEATURES);
  return out;
}

/**
 * Incremental features for live trading: push each closed bar in order; identical, bit for bit, to
 * computeFeatureMatrix over the same history (same first bar). Memory is bounded by the longest window (60 bars).
 */
export class FeatureStream {
  private readonly engine = new FeatureEngine();

  /** Bars pushed since the start of the history. */
  get count(): number {
    return this.engine.count;
  }

  get lastOpenTime(): number | null {
    return this.engine.lastOpenTime;
  }

  /**
   * Consumes the next bar (exactly BAR_MS after the previous one) and returns its 19 features, or null for the
   * first WARMUP_BARS bars of the history (warm-up). Throws on a gap or an invalid bar, leaving the stream unchanged.
   */
  push(bar: Bar): Float64Array | null {
    const out = new Float64Array(N_FEATURES);
    this.engine.step(bar, out, 0);
    return this.engine.count > WARMUP_BARS ? out : null;
  }

  /** Plain JSON-able snapshot; FeatureStream.fromState(JSON.parse(JSON.stringify(s))) continues identically. */
  toState(): FeatureStreamState {
    const e = this.engine;
    return {
      version: 1,
      count: e.count,
      lastOpenTime: e.lastOpenTime,
      ema12: e.ema12,
      ema26: e.ema26,
      ema60: e.ema60,
      avgGain: e.avgGain,
      avgLoss: e.avgLoss,
      lastLogVolume: e.lastLogVolume,
      closes: e.w.closes.values(),
      ret1: e.w.ret1.values(),
      ret5: e.w.ret5.values(),
      tp: e.w.tp.values(),
      volume: e.w.volume.values(),
      high: e.w.high.values(),
      low: e.w.low.values(),
      spread: e.w.spread.values(),
      dlv: e.w.dlv.values(),
    };
  }

  static fromState(state: unknown): FeatureStream {
    const parsed = featureStreamStateSchema.safeParse(state);
    if (!parsed.success) throw new Error(`Invalid FeatureStream state: ${z.prettifyError(parsed.error)}`);
    const s = parsed.data;
    if ((s.count === 0) !== (s.lastOpenTime === null)) {
      throw new Error(`Invalid FeatureStream state: count ${s.count} with lastOpenTime ${s.lastOpenTime}`);
    }
    const stream = new FeatureStream();
    const e = stream.engine;
    for (const name of WINDOW_NAMES) {
      const values = s[name];
      const expected = Math.min(s.count, CAPACITY[name]);
      if (values.length !== expected) {
        throw new Error(`Invalid FeatureStream state: window ${name} holds ${values.length} values, expected ${expected} after ${s.count} bars`);
      }
      // Re-pushing oldest first restores the same chronological windows, hence the same summation order.
      for (const x of values) e.w[name].push(x);
    }
    e.count = s.count;
    e.lastOpenTime = s.lastOpenTime;
    e.ema12 = s.ema12;
    e.ema26 = s.ema26;
    e.ema60 = s.ema60;
    e.avgGain = s.avgGain;
    e.avgLoss = s.avgLoss;
    e.lastLogVolume = s.lastLogVolume;
    return stream;
  }
}

/**
 * Targets y_t = c_{t+H} / c_t - 1 over a contiguous history; NaN for the last H bars, whose target is unknown.
 */
export function forwardReturns(bars: readonly Bar[], horizon: number): Float64Array {
  if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`horizon must be a positive integer number of bars, got ${horizon}`);
  const y = new Float64Array(bars.length).fill(NaN);
  for (let i = 1; i < bars.length; i++) {
    if (bars[i]!.openTime !== bars[i - 1]!.openTime + BAR_MS) {
      throw new Error(`forwardReturns needs contiguous bars: bar ${i} opens at ${bars[i]!.openTime}, expected ${bars[i - 1]!.openTime + BAR_MS}`);
    }
  }
  for (let i = 0; i + horizon < bars.length; i++) y[i] = bars[i + horizon]!.close / bars[i]!.close - 1;
  return y;
}
