/**
 * Inline SVG of the equity curve with trade markers, and a drawdown panel below on the same time axis.
 * No scripts: tooltips are SVG <title> elements, colours come from the page's CSS classes.
 */
import { formatMoney, formatSignificant, formatUtc } from './display-format';
import { escapeHtml as esc } from './html-escape';
import { formatTimeTick, linearScale, niceTicks, timeTicks } from './chart-scale';
import type { EquityPoint, TradeRow } from './types';

const WIDTH = 960;
const LEFT = 84;
const RIGHT = 40;
const EQUITY_TOP = 16;
const EQUITY_HEIGHT = 300;
const DRAWDOWN_TOP = EQUITY_TOP + EQUITY_HEIGHT + 28;
const DRAWDOWN_HEIGHT = 110;
const HEIGHT = DRAWDOWN_TOP + DRAWDOWN_HEIGHT + 40;
const PLOT_RIGHT = WIDTH - RIGHT;
const MARKER = 5;
/** More samples than this per pixel column add nothing visible; see decimate(). */
const SAMPLES_PER_COLUMN = 4;

/** Coordinates with one decimal keep the file small and the output stable. */
const c = (v: number): string => v.toFixed(1);

interface XY {
  readonly x: number;
  readonly y: number;
}

/**
 * Keeps the first, lowest, highest and last sample of each pixel column, in time order, so that a long
 * curve (weeks of minutes) stays a few thousand points without hiding any spike.
 */
function decimate(points: readonly XY[]): XY[] {
  if (points.length <= (PLOT_RIGHT - LEFT) * SAMPLES_PER_COLUMN) return [...points];
  const keep = new Set<number>();
  let start = 0;
  while (start < points.length) {
    const column = Math.floor(points[start]!.x);
    let end = start;
    let lo = start;
    let hi = start;
    while (end + 1 < points.length && Math.floor(points[end + 1]!.x) === column) {
      end++;
      if (points[end]!.y < points[lo]!.y) lo = end;
      if (points[end]!.y > points[hi]!.y) hi = end;
    }
    for (const k of [start, lo, hi, end].sort((a, b) => a - b)) keep.add(k);
    start = end + 1;
  }
  return [...keep].map((k) => points[k]!);
}

/** Min and max without spreading (a year of minutes would overflow the argument stack). */
function extent(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function polyline(points: readonly XY[]): string {
  return points.map((p, k) => `${k === 0 ? 'M' : 'L'}${c(p.x)},${c(p.y)}`).join(' ');
}

/** Equity at time t, linearly interpolated between samples and clamped to the ends (samples sorted by time). */
function equityAt(points: readonly EquityPoint[], t: number): number {
  let lo = 0;
  let hi = points.length - 1;
  if (t <= points[lo]!.openTime) return points[lo]!.equity;
  if (t >= points[hi]!.openTime) return points[hi]!.equity;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.openTime <= t) lo = mid;
    else hi = mid;
  }
  const a = points[lo]!;
  const b = points[hi]!;
  return b.openTime === a.openTime ? b.equity : a.equity + ((t - a.openTime) / (b.openTime - a.openTime)) * (b.equity - a.equity);
}

/** Fractional drawdown from the running peak at each sample (0 or negative). */
function drawdowns(points: readonly EquityPoint[]): number[] {
  let peak = -Infinity;
  return points.map(({ equity }) => {
    peak = Math.max(peak, equity);
    return peak > 0 ? equity / peak - 1 : 0;
  });
}

function tradeTooltip(t: TradeRow, index: number): string {
  return [
    `Trade ${index + 1}: ${t.side}, model ${t.modelVersion}`,
    `entry ${formatSignificant(t.entryPrice, 8)} at ${formatUtc(t.entryTime)}`,
    `exit ${formatSignificant(t.exitPrice, 8)} at ${formatUtc(t.exitTime)} (${t.exitReason})`,
    `net PnL ${formatMoney(t.netPnl)}, fees ${formatMoney(t.fees)}`,
  ].join('\n');
}

function valueAxis(ticks: { values: readonly number[] }, y: (v: number) => number, label: (v: number) => string): string {
  return ticks.values
    .map((v) => {
      const py = c(y(v));
      return `<line class="grid" x1="${LEFT}" y1="${py}" x2="${PLOT_RIGHT}" y2="${py}"/><text class="tick" x="${LEFT - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${esc(label(v))}</text>`;
    })
    .join('');
}

/** The chart, or a short notice when there is no equity sample to draw. */
export function renderEquityChartSvg(equityInput: readonly EquityPoint[], trades: readonly TradeRow[]): string {
  const equity = equityInput.filter((p) => Number.isFinite(p.openTime) && Number.isFinite(p.equity)).sort((a, b) => a.openTime - b.openTime);
  if (equity.length === 0) return '<p class="empty">No equity data to chart.</p>';

  const times = [equity[0]!.openTime, equity[equity.length - 1]!.openTime];
  for (const t of trades) times.push(t.entryTime, t.exitTime);
  let [t0, t1] = extent(times.filter(Number.isFinite));
  if (t1 === t0) [t0, t1] = [t0 - 60_000, t1 + 60_000];
  const x = linearScale(t0, t1, LEFT, PLOT_RIGHT);

  const [eqMin, eqMax] = extent(equity.map((p) => p.equity));
  const eqTicks = niceTicks(eqMin, eqMax, 5);
  const y = linearScale(eqTicks.lo, eqTicks.hi, EQUITY_TOP + EQUITY_HEIGHT, EQUITY_TOP);

  const dd = drawdowns(equity).map((v) => v * 100);
  const [worst] = extent(dd);
  const ddTicks = niceTicks(worst < 0 ? worst : -1, 0, 3);
  const yd = linearScale(ddTicks.lo, ddTicks.hi, DRAWDOWN_TOP + DRAWDOWN_HEIGHT, DRAWDOWN_TOP);

  const tTicks = timeTicks(t0, t1, 8);
  const timeAxis = tTicks.values
    .map((t) => {
      const px = c(x(t));
      return (
        `<line class="grid" x1="${px}" y1="${EQUITY_TOP}" x2="${px}" y2="${DRAWDOWN_TOP + DRAWDOWN_HEIGHT}"/>` +
        `<text class="tick" x="${px}" y="${DRAWDOWN_TOP + DRAWDOWN_HEIGHT + 16}" text-anchor="middle">${esc(formatTimeTick(t, tTicks.step))}</text>`
      );
    })
    .join('');

  const curve = decimate(equity.map((p) => ({ x: x(p.openTime), y: y(p.equity) })));
  const ddCurve = decimate(equity.map((p, k) => ({ x: x(p.openTime), y: yd(dd[k]!) })));
  const ddBase = c(yd(0));
  const ddArea = `${polyline(ddCurve)} L${c(ddCurve[ddCurve.length - 1]!.x)},${ddBase} L${c(ddCurve[0]!.x)},${ddBase} Z`;

  const markers = trades
    .map((t, k) => {
      const tip = `<title>${esc(tradeTooltip(t, k))}</title>`;
      const ex = x(t.entryTime);
      const ey = y(equityAt(equity, t.entryTime));
      // ▲ for LONG, ▼ for SHORT, centred on the curve at the entry time.
      const dir = t.side === 'LONG' ? -1 : 1;
      const entry = `<path class="marker entry ${t.side === 'LONG' ? 'long' : 'short'}" d="M${c(ex)},${c(ey + dir * MARKER)} L${c(ex + MARKER)},${c(ey - dir * MARKER)} L${c(ex - MARKER)},${c(ey - dir * MARKER)} Z">${tip}</path>`;
      const exit = `<circle class="marker exit ${t.netPnl > 0 ? 'win' : 'loss'}" cx="${c(x(t.exitTime))}" cy="${c(y(equityAt(equity, t.exitTime)))}" r="${MARKER - 1}">${tip}</circle>`;
      return entry + exit;
    })
    .join('');

  return [
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="Equity curve and drawdown">`,
    `<text class="axis-title" x="${LEFT}" y="${EQUITY_TOP - 4}">Equity</text>`,
    `<text class="axis-title" x="${LEFT}" y="${DRAWDOWN_TOP - 4}">Drawdown</text>`,
    `<text class="axis-title" x="${PLOT_RIGHT}" y="${HEIGHT - 6}" text-anchor="end">time (UTC)</text>`,
    valueAxis(eqTicks, y, (v) => v.toFixed(eqTicks.decimals)),
    valueAxis(ddTicks, yd, (v) => `${v.toFixed(ddTicks.decimals)}%`),
    timeAxis,
    `<rect class="frame" x="${LEFT}" y="${EQUITY_TOP}" width="${PLOT_RIGHT - LEFT}" height="${EQUITY_HEIGHT}"/>`,
    `<rect class="frame" x="${LEFT}" y="${DRAWDOWN_TOP}" width="${PLOT_RIGHT - LEFT}" height="${DRAWDOWN_HEIGHT}"/>`,
    `<path class="drawdown" d="${ddArea}"/>`,
    `<path class="equity" d="${polyline(curve)}"/>`,
    `<g class="markers">${markers}</g>`,
    '</svg>',
  ].join('\n');
}
