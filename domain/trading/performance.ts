/**
 * Report metrics of strategy.md ("Report metrics") from an equity curve sampled every minute and the closed trades.
 * Formulas follow empyrical / quantstats so that figures compare with theirs. Every value is finite (summary.json
 * must not hold NaN or Infinity): a ratio whose denominator is 0 is reported as 0, meaning "not measurable", and
 * the other metrics show why (no trades, no losses, ...). Calmar is the exception: null when it cannot be measured.
 */
import { BAR_MS } from '../bars';
import type { Trade } from './state';

export const MINUTES_PER_YEAR = 525_600;

/** Keys as written under `metrics` in summary.json. */
export interface PerformanceMetrics {
  readonly net_pnl: number;
  readonly total_return: number;
  readonly trades: number;
  readonly win_rate: number;
  readonly avg_win: number;
  /** Mean net PnL of losing trades: a negative number (0 without losses). */
  readonly avg_loss: number;
  readonly profit_factor: number;
  readonly expectancy: number;
  readonly fees: number;
  /** Funding paid by the trades (positive = paid, negative = received). */
  readonly funding: number;
  readonly sharpe: number;
  readonly sortino: number;
  /** Largest peak-to-trough fall of equity, as a fraction of the peak. */
  readonly max_drawdown: number;
  /**
   * CAGR / max drawdown. null without a drawdown (the ratio is undefined, and 0 would read as "no return") or
   * when the CAGR overflows (a short run with a gain compounds to a year as Infinity).
   */
  readonly calmar: number | null;
  readonly exposure: number;
  readonly avg_holding_minutes: number;
}

/** `funding` may be missing in trades recorded before funding existed: it counts as 0. */
export type TradeOutcome = Pick<Trade, 'netPnl' | 'fees' | 'entryTime' | 'exitTime'> & { readonly funding?: number };

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function mean(xs: readonly number[]): number {
  return ratio(sum(xs), xs.length);
}

/** Per-minute simple returns of consecutive equity points (0 after a non-positive equity, where a return is undefined). */
export function equityReturns(equity: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < equity.length; i++) {
    const prev = equity[i - 1]!;
    out.push(prev > 0 ? equity[i]! / prev - 1 : 0);
  }
  return out;
}

/** Annualised Sharpe of per-minute returns: mean / sample standard deviation x sqrt(525,600); 0 with < 2 returns or no variation. */
export function sharpeRatio(returns: readonly number[]): number {
  const n = returns.length;
  if (n < 2) return 0;
  const m = mean(returns);
  let ss = 0;
  for (const r of returns) ss += (r - m) * (r - m);
  return ratio(m, Math.sqrt(ss / (n - 1))) * Math.sqrt(MINUTES_PER_YEAR);
}

/**
 * Annualised Sortino: mean / downside deviation x sqrt(525,600), the downside deviation (target 0) being
 * sqrt(sum(min(r, 0)^2) / n) over all n returns. Divided by n, not n - 1 (empyrical's convention, unlike the
 * Sharpe ratio's sample deviation). 0 without returns or without a negative return.
 */
export function sortinoRatio(returns: readonly number[]): number {
  const n = returns.length;
  if (n === 0) return 0;
  let ss = 0;
  for (const r of returns) if (r < 0) ss += r * r;
  return ratio(mean(returns), Math.sqrt(ss / n)) * Math.sqrt(MINUTES_PER_YEAR);
}

/**
 * Compound annual growth rate of a per-minute equity curve: (final / initial)^(525,600 / n) - 1 with n the number
 * of returns (equity.length - 1). A curve that ends at or below 0 lost everything: -1. Infinity when a short run's
 * gain overflows; null without returns or with a non-positive starting equity (no growth rate is defined).
 */
export function cagr(equity: readonly number[]): number | null {
  const n = equity.length - 1;
  const start = equity[0];
  if (n < 1 || start === undefined || start <= 0) return null;
  const growth = Math.max(equity[n]! / start, 0);
  return growth ** (MINUTES_PER_YEAR / n) - 1;
}

/** Largest fall from a running peak, as a fraction of that peak (0 for a curve that never falls). */
export function maxDrawdown(equity: readonly number[]): number {
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (const e of equity) {
    if (e > peak) peak = e;
    if (peak > 0) worst = Math.max(worst, (peak - e) / peak);
  }
  return worst;
}

/**
 * Sharpe of each full window of `window` consecutive returns: element k covers returns[k .. k + window - 1], so the
 * result has returns.length - window + 1 elements (none when there are fewer returns than the window).
 */
export function rollingSharpe(returns: readonly number[], window: number): number[] {
  if (!Number.isInteger(window) || window < 2) throw new Error(`rollingSharpe: window must be an integer >= 2, got ${window}`);
  const out: number[] = [];
  for (let k = 0; k + window <= returns.length; k++) out.push(sharpeRatio(returns.slice(k, k + window)));
  return out;
}

/**
 * Metrics of a run. `equity` is the curve as recorded (starting capital, then one value per bar close), so it has
 * one more point than there were bars. A trade is a win when its net PnL (after fees) is > 0 and a loss when < 0.
 * Exposure and holding time count the bars from the entry bar up to, not including, the exit bar
 * ((exitTime - entryTime) / 1 minute), so a position stopped out in its entry bar holds 0 minutes.
 * Calmar = CAGR / max drawdown (see `cagr`); null when the drawdown is 0 or the CAGR is not finite.
 */
export function performanceMetrics(equity: readonly number[], trades: readonly TradeOutcome[]): PerformanceMetrics {
  if (equity.length === 0) throw new Error('performanceMetrics: the equity curve is empty (it starts with the starting capital)');
  for (let i = 0; i < equity.length; i++) {
    if (!Number.isFinite(equity[i])) throw new Error(`performanceMetrics: equity point ${i} is not finite (${equity[i]})`);
  }
  const start = equity[0]!;
  const netPnl = equity[equity.length - 1]! - start;
  const totalReturn = ratio(netPnl, start);
  const bars = equity.length - 1;

  const pnls = trades.map((t) => t.netPnl);
  const wins = pnls.filter((p) => p > 0);
  const losses = pnls.filter((p) => p < 0);
  const grossProfit = sum(wins);
  const grossLoss = -sum(losses);
  const holdings = trades.map((t) => (t.exitTime - t.entryTime) / BAR_MS);

  const returns = equityReturns(equity);
  const drawdown = maxDrawdown(equity);
  const growth = cagr(equity);
  return {
    net_pnl: netPnl,
    total_return: totalReturn,
    trades: trades.length,
    win_rate: ratio(wins.length, trades.length),
    avg_win: mean(wins),
    avg_loss: mean(losses),
    profit_factor: ratio(grossProfit, grossLoss),
    expectancy: mean(pnls),
    fees: sum(trades.map((t) => t.fees)),
    funding: sum(trades.map((t) => t.funding ?? 0)),
    sharpe: sharpeRatio(returns),
    sortino: sortinoRatio(returns),
    max_drawdown: drawdown,
    calmar: drawdown > 0 && growth !== null && Number.isFinite(growth) ? growth / drawdown : null,
    exposure: ratio(sum(holdings), bars),
    avg_holding_minutes: mean(holdings),
  };
}
