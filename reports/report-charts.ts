/**
 * The data of report.html's interactive charts, as one compact JSON-ready object: bounded overviews (candles,
 * equity, drawdown, buy-and-hold) plus the full minutes in detail chunks that the page decodes when zoomed in.
 * Pure: the same inputs give the same object, so reports stay deterministic.
 */
import { decodeChunk, encodeDetailChunks, priceTick, type DetailChunk } from './detail-chunks';
import { aggregateCandles, bucketMeans, bucketMs, drawdowns, extremes, type Candle } from './downsample';
import type { ChartInputs, EquityPoint, TradeRow } from './types';

/** Candles of the whole-run overview; zoomed windows get finer candles (report-script.ts). */
export const OVERVIEW_CANDLES = 2_000;
/** Points of the equity, drawdown and buy-and-hold lines. */
export const LINE_POINTS = 4_000;
/** A window of at most this many minutes shows every 1-minute bar. */
export const DETAIL_MAX_BARS = 2_880;

export interface ChartData {
  readonly range: readonly [number, number];
  readonly tick: number;
  readonly overview: { readonly bucket: number; readonly candles: readonly Candle[]; readonly predictions: readonly [number, number][] };
  readonly chunks: readonly DetailChunk[];
  readonly detailMaxBars: number;
  readonly maxCandles: number;
  /**
   * [side 0 LONG / 1 SHORT, entry minute (since range start), entry price in ticks, minutes held, exit price in
   * ticks, net PnL, exit reason index]: integers keep tens of thousands of trades small.
   */
  readonly trades: readonly (readonly number[])[];
  readonly exitReasons: readonly string[];
  readonly equity: readonly [number, number][];
  readonly drawdown: readonly [number, number][];
  readonly buyHold: readonly [number, number][];
  /** [trained at, IC, RMSE / zero-baseline RMSE, best iteration]. */
  readonly models: readonly (readonly [number, number, number | null, number])[];
  /** Mean share of the total gain per feature across the models, largest first; empty when unknown. */
  readonly importance: readonly (readonly [string, number])[];
}

const onTick = (x: number, tick: number): number => Number((Math.round(x / tick) * tick).toPrecision(12));
const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const line = (points: readonly EquityPoint[], digits: number): [number, number][] => points.map((p) => [p.openTime, round(p.equity, digits)]);

/** Buy at the first test bar's open with all the capital, hold to the end (no fees): the same times as the equity. */
export function buyAndHold(bars: ChartInputs['bars'], capital: number): EquityPoint[] {
  const first = bars[0];
  if (first === undefined || first.open <= 0) return [];
  return [{ openTime: first.openTime, equity: capital }, ...bars.map((b) => ({ openTime: b.openTime + 60_000, equity: (capital * b.close) / first.open }))];
}

/** Each model's gains as shares of its total, averaged over the models (so long and short runs compare). */
export function importanceShares(perModel: readonly Readonly<Record<string, number>>[]): [string, number][] {
  const sums = new Map<string, number>();
  let models = 0;
  for (const gains of perModel) {
    const total = Object.values(gains).reduce((s, g) => s + g, 0);
    if (!(total > 0)) continue;
    models++;
    for (const [name, g] of Object.entries(gains)) sums.set(name, (sums.get(name) ?? 0) + g / total);
  }
  if (models === 0) return [];
  return [...sums.entries()].map(([name, s]): [string, number] => [name, round(s / models, 6)]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function tradeRows(trades: readonly TradeRow[], reasons: string[], start: number, tick: number): number[][] {
  const minute = (ms: number): number => Math.round(ms / 60_000);
  return trades.map((t) => {
    if (!reasons.includes(t.exitReason)) reasons.push(t.exitReason);
    const side = t.side === 'LONG' ? 0 : 1;
    const held = minute(t.exitTime - t.entryTime);
    return [
      side,
      minute(t.entryTime - start),
      Math.round(t.entryPrice / tick),
      held,
      Math.round(t.exitPrice / tick),
      round(t.netPnl, 2),
      reasons.indexOf(t.exitReason),
    ];
  });
}

export function buildChartData(input: ChartInputs, equity: readonly EquityPoint[], trades: readonly TradeRow[], range: readonly [number, number]): ChartData {
  const { bars, predictions } = input;
  const byTime = new Map<number, number>();
  predictions.openTime.forEach((t, i) => byTime.set(t, predictions.prediction[i]!));
  const tick = priceTick(bars);
  const bucket = bucketMs(range[1] - range[0], OVERVIEW_CANDLES);
  const capital = equity[0]?.equity ?? 0;
  const exitReasons: string[] = [];
  return {
    range,
    tick,
    // The overview is aggregated from the tick-rounded minutes, so it agrees with the detail the page swaps in.
    overview: {
      bucket,
      candles: aggregateCandles(bars, bucket).map(([t, o, c, l, h]): Candle => [t, onTick(o, tick), onTick(c, tick), onTick(l, tick), onTick(h, tick)]),
      predictions: bucketMeans(predictions.openTime, predictions.prediction, bucket).map(([t, v]): [number, number] => [t, round(v, 7)]),
    },
    chunks: encodeDetailChunks(bars, (t) => byTime.get(t) ?? null, tick),
    detailMaxBars: DETAIL_MAX_BARS,
    maxCandles: OVERVIEW_CANDLES,
    trades: tradeRows(trades, exitReasons, range[0], tick),
    exitReasons,
    equity: line(extremes(equity, LINE_POINTS), 2),
    drawdown: line(extremes(drawdowns(equity), LINE_POINTS), 6),
    buyHold: line(extremes(buyAndHold(bars, capital), LINE_POINTS), 2),
    models: input.modelQuality.map(
      (m) => [m.trainedAt, round(m.ic, 6), m.baselineRmse > 0 ? round(m.rmse / m.baselineRmse, 6) : null, m.bestIteration] as const,
    ),
    importance: importanceShares(input.featureImportance),
  };
}

/** The detail bars of [from, to) decoded as the page does, for tests and tools. */
export function detailWindow(data: ChartData, from: number, to: number): number[][] {
  return data.chunks
    .filter((c) => c.t < to && c.t + c.q.length * 60_000 > from)
    .flatMap((c) => decodeChunk(c, data.tick).candles)
    .filter((c) => c[0]! >= from && c[0]! < to);
}
