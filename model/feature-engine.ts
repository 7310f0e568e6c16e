// The incremental computation of the 19 features, one bar at a time: the single engine that both
// computeFeatureMatrix (batch) and FeatureStream (live) drive, so both agree bit for bit.
import { BAR_MS, type Bar } from '../domain/bars';
import { correlation, mean, sampleStd, Window } from './rolling-window';

const EMA12_ALPHA = 2 / 13;
const EMA26_ALPHA = 2 / 27;
const EMA60_ALPHA = 2 / 61;
const RSI_ALPHA = 1 / 14;

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

/** Window capacities: the longest lookback each series needs. */
export const CAPACITY = {
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
export type WindowName = keyof typeof CAPACITY;
export const WINDOW_NAMES = Object.keys(CAPACITY) as WindowName[];

/**
 * The incremental feature computation. Before a window has filled, it covers the bars seen so far and lookbacks
 * clamp to the first bar (so ret_k is 0 at the first bar): those warm-up values are finite but not the spec's.
 */
export class FeatureEngine {
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
