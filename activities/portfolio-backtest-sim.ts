/**
 * The portfolio backtest's simulation, pure: the starting capital split by weight, simulatePortfolio (the live
 * portfolio's code) over every minute but the last, then the backtest's end-of-test rule per symbol (docs/strategy.md
 * "End of test", lastStep: the last bar fills the pending intent and its stops, decides nothing, and an open
 * position closes at its close, exactly as the single-symbol backtest's last bar), and the metrics of the result.
 */
import { BAR_MS } from '../domain/bars';
import { allocate } from '../domain/portfolio/allocation';
import type { PortfolioRules, RefusalReason } from '../domain/portfolio/rules';
import { simulatePortfolio, type SymbolSeries } from '../domain/portfolio/simulate';
import { lastStep, performanceMetrics, type EquityPoint, type PerformanceMetrics, type Trade, type TradingParams } from '../domain/trading';

export type SymbolTrade = Trade & { readonly symbol: string };

/** An entry the portfolio refused, at the minute (open time) whose close decided it. */
export interface Refusal {
  readonly time: number;
  readonly symbol: string;
  readonly reason: RefusalReason;
}

/**
 * A symbol's test series with the model version of every prediction: a walk-forward has one model per segment,
 * while simulatePortfolio stamps one version per symbol, so the trades get the version of the model whose
 * prediction decided their entry (the close before the entry bar), as the standalone backtest records them.
 */
export interface PortfolioSeries extends SymbolSeries {
  readonly modelVersions?: readonly string[];
}

function stamped(trade: SymbolTrade, s: PortfolioSeries, first: number): SymbolTrade {
  const version = s.modelVersions?.[(trade.entryTime - BAR_MS - first) / BAR_MS];
  return version === undefined ? trade : { ...trade, modelVersion: version };
}

export interface PortfolioRun {
  /** By exit time, then symbol. */
  readonly trades: readonly SymbolTrade[];
  /** The starting capital at the first test bar's open, then the summed equity at every minute's close. */
  readonly equity: readonly EquityPoint[];
  readonly refusals: readonly Refusal[];
  readonly killSwitches: readonly number[];
  /** Each symbol's starting capital (its weight's share). */
  readonly capital: Readonly<Record<string, number>>;
}

function checkTimeline(series: readonly SymbolSeries[]): { first: number; n: number } {
  const first = series[0]?.bars[0]?.openTime;
  const n = series[0]?.bars.length ?? 0;
  if (first === undefined || n < 2) throw new Error('portfolio backtest: every symbol needs at least two test bars');
  for (const s of series) {
    const b = s.bars;
    // The stand-ins share the real series' timeline, so every symbol has a bar in every minute.
    if (b.length !== n || b[0]!.openTime !== first || b[n - 1]!.openTime !== first + (n - 1) * BAR_MS)
      throw new Error(`portfolio backtest: ${s.symbol}'s test bars do not cover the same minutes as ${series[0]!.symbol}'s`);
  }
  return { first, n };
}

export function runPortfolioBacktest(
  rules: PortfolioRules,
  series: readonly PortfolioSeries[],
  params: Readonly<Record<string, TradingParams>>,
  baseCapital: number,
): PortfolioRun {
  const { first, n } = checkTimeline(series);
  const capital = allocate(
    rules,
    series.map((s) => s.symbol),
    baseCapital,
  );
  const sized: Record<string, TradingParams> = {};
  for (const s of series) sized[s.symbol] = { ...params[s.symbol]!, startingCapital: capital[s.symbol]! };
  const head = series.map((s) => ({ ...s, bars: s.bars.slice(0, n - 1), predictions: Array.from(s.predictions).slice(0, n - 1) }));
  const sim = simulatePortfolio(rules, head, sized);
  const bySymbol = new Map(series.map((s) => [s.symbol, s]));
  const trades: SymbolTrade[] = sim.trades.map((t) => stamped(t, bySymbol.get(t.symbol)!, first));
  let total = 0;
  for (const s of series) {
    const bar = s.bars[n - 1]!;
    const end = lastStep(sim.states[s.symbol]!, bar, sized[s.symbol]!, s.funding?.get(bar.openTime) ?? null);
    for (const t of end.trades) trades.push(stamped({ ...t, symbol: s.symbol }, s, first));
    total += end.state.lastEquity;
  }
  trades.sort((a, b) => a.exitTime - b.exitTime || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const equity = [{ openTime: first, equity: baseCapital }, ...sim.equity, { openTime: first + n * BAR_MS, equity: total }];
  return { trades, equity, refusals: sim.refusals, killSwitches: sim.killSwitches, capital };
}

/** Figures that need a symbol's own marked equity curve, which a portfolio's books do not keep apart (cash moves between them). */
export const CURVE_METRICS = ['sharpe', 'sortino', 'max_drawdown', 'calmar'] as const;

/**
 * A symbol's figures inside the portfolio, from its trades: its capital plus its realised net PnL minute by minute
 * (so trades, PnL, win rate, fees, exposure and holding are the report's own); the curve figures are null.
 */
export function symbolMetrics(trades: readonly Trade[], capital: number, times: readonly number[]): Record<string, number | null> {
  const exits = trades.map((t) => t.exitTime).sort((a, b) => a - b);
  const byExit = [...trades].sort((a, b) => a.exitTime - b.exitTime);
  const curve: number[] = [capital];
  let k = 0;
  let realised = capital;
  // A trade's PnL counts from the close of its exit bar on.
  for (const t of times) {
    while (k < byExit.length && exits[k]! <= t) realised += byExit[k++]!.netPnl;
    curve.push(realised);
  }
  const m: Record<string, number | null> = { ...performanceMetrics(curve, trades) };
  for (const key of CURVE_METRICS) m[key] = null;
  return m;
}

/** The portfolio's own figures: its summed equity curve and every symbol's trades. */
export function portfolioMetrics(run: PortfolioRun): PerformanceMetrics {
  return performanceMetrics(
    run.equity.map((p) => p.equity),
    run.trades,
  );
}

export function refusalCounts(refusals: readonly Refusal[]): Partial<Record<RefusalReason, number>> {
  const out: Partial<Record<RefusalReason, number>> = {};
  for (const r of refusals) out[r.reason] = (out[r.reason] ?? 0) + 1;
  return out;
}
