/**
 * The full 1-minute bars and predictions of a run, embedded compactly for the zoomed-in chart: contiguous runs of
 * at most CHUNK_BARS minutes, prices as integer ticks, each bar as four small integers relative to the previous
 * close. A year of minutes stays a few MB; the page decodes only the chunks of the window it shows
 * (DECODE_CHUNK_JS, the browser's copy of `decodeChunk`, is checked against it in the tests).
 */
import type { OhlcBar } from './downsample';

export const CHUNK_BARS = 1440;
const MINUTE = 60_000;
/** Predictions are stored in 0.1 bps (1e-5) units: far below the thresholds the rules use (4.5 and 8 bps). */
export const PREDICTION_SCALE = 1e5;

/** One chunk: `t` first open time, `p` first open in ticks, `b` [open-prevClose, close-open, high-max, min-low] per bar, `q` predictions. */
export interface DetailChunk {
  readonly t: number;
  readonly p: number;
  readonly b: readonly number[];
  readonly q: readonly (number | null)[];
}

/**
 * The price step of the embedded detail: about 6 significant digits of the typical price (a chart cannot show
 * more), never finer than 1e-8.
 */
export function priceTick(bars: readonly OhlcBar[]): number {
  const mid = bars[Math.floor(bars.length / 2)]?.close ?? 1;
  const exp = Math.max(-8, Math.floor(Math.log10(Math.max(mid, 1e-8))) - 5);
  return Number(`1e${exp}`);
}

/** Splits bars (time order) into contiguous chunks; `prediction(openTime)` gives each bar's prediction or null. */
export function encodeDetailChunks(bars: readonly OhlcBar[], prediction: (openTime: number) => number | null, tick: number): DetailChunk[] {
  const ticks = (x: number): number => Math.round(x / tick);
  const out: DetailChunk[] = [];
  let current: { t: number; p: number; b: number[]; q: (number | null)[] } | null = null;
  let prevClose = 0;
  let prevTime = Number.NaN;
  for (const bar of bars) {
    const o = ticks(bar.open);
    const c = ticks(bar.close);
    if (current === null || bar.openTime !== prevTime + MINUTE || current.q.length >= CHUNK_BARS) {
      current = { t: bar.openTime, p: o, b: [], q: [] };
      out.push(current);
      prevClose = o;
    }
    current.b.push(o - prevClose, c - o, Math.max(0, ticks(bar.high) - Math.max(o, c)), Math.max(0, Math.min(o, c) - ticks(bar.low)));
    const pred = prediction(bar.openTime);
    current.q.push(pred === null ? null : Math.round(pred * PREDICTION_SCALE));
    prevClose = c;
    prevTime = bar.openTime;
  }
  return out;
}

/** The bars of a chunk as candles [openTime, open, close, low, high] and predictions [openTime, value]. */
export function decodeChunk(chunk: DetailChunk, tick: number): { candles: number[][]; predictions: (number | null)[][] } {
  const candles: number[][] = [];
  const predictions: (number | null)[][] = [];
  let close = chunk.p;
  for (let i = 0; i * 4 < chunk.b.length; i++) {
    const o = close + chunk.b[i * 4]!;
    const c = o + chunk.b[i * 4 + 1]!;
    const t = chunk.t + i * MINUTE;
    const px = (v: number): number => Number((v * tick).toPrecision(12));
    candles.push([t, px(o), px(c), px(Math.min(o, c) - chunk.b[i * 4 + 3]!), px(Math.max(o, c) + chunk.b[i * 4 + 2]!)]);
    const q = chunk.q[i];
    predictions.push([t, q === null || q === undefined ? null : q / PREDICTION_SCALE]);
    close = c;
  }
  return { candles, predictions };
}

/** The same decoder for the page (plain ES2017, no dependencies); report-script.ts embeds it. */
export const DECODE_CHUNK_JS = `function decodeChunk(chunk, tick) {
  var candles = [], predictions = [], close = chunk.p;
  var px = function (v) { return Number((v * tick).toPrecision(12)); };
  for (var i = 0; i * 4 < chunk.b.length; i++) {
    var o = close + chunk.b[i * 4], c = o + chunk.b[i * 4 + 1], t = chunk.t + i * ${MINUTE};
    candles.push([t, px(o), px(c), px(Math.min(o, c) - chunk.b[i * 4 + 3]), px(Math.max(o, c) + chunk.b[i * 4 + 2])]);
    var q = chunk.q[i];
    predictions.push([t, q === null || q === undefined ? null : q / ${PREDICTION_SCALE}]);
    close = c;
  }
  return { candles: candles, predictions: predictions };
}`;
