/**
 * The portfolio's risk settings and its durable state (docs/portfolio.md): plain JSON-serialisable data, so a
 * portfolio workflow can carry it across continue-as-new and a portfolio backtest can replay it.
 */
import type { Side } from '../trading/state';

export interface PortfolioRules {
  /** Symbol -> weight > 0 (normalised to sum 1); every traded symbol has one. */
  readonly weights: Readonly<Record<string, number>>;
  readonly maxPositions: number;
  /** Open notional over portfolio equity, at most; null: no cap beyond the bots' own sizing. */
  readonly maxGrossExposure: number | null;
  /** Portfolio kill switch: fall from the UTC day opening, as a fraction (0.03 = 3 %). */
  readonly maxDailyDrawdown: number;
}

/** One bot's book as the portfolio sees it at a minute's close. */
export interface BookView {
  readonly symbol: string;
  /** Cash plus unrealised PnL at the symbol's last close. */
  readonly equity: number;
  /** The open position's notional at the last close (0 when flat). */
  readonly notional: number;
}

export interface PortfolioState {
  /** UTC day index of the last minute seen (null before the first). */
  readonly day: number | null;
  /** Summed equity at the day's opening (after its rebalancing). */
  readonly dayOpenEquity: number;
  /** The portfolio kill switch fired today (and no operator resumed). */
  readonly halted: boolean;
  /** Summed equity at the last minute's close: the next day's opening. */
  readonly lastEquity: number | null;
}

export const INITIAL_PORTFOLIO: PortfolioState = { day: null, dayOpenEquity: 0, halted: false, lastEquity: null };

export type RefusalReason = 'portfolio_halted' | 'max_positions' | 'max_exposure';

export interface EntryRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly prediction: number;
  /** Quantity x the bar's close. */
  readonly notional: number;
}

export type Admission =
  { readonly symbol: string; readonly admitted: true } | { readonly symbol: string; readonly admitted: false; readonly reason: RefusalReason };

/** Checks the settings against the traded symbols; a clear error names what is wrong. */
export function assertPortfolioRules(rules: PortfolioRules, symbols: readonly string[]): void {
  if (symbols.length === 0) throw new Error('portfolio: no symbols');
  if (new Set(symbols).size !== symbols.length) throw new Error(`portfolio: a symbol is listed twice (${symbols.join(', ')})`);
  for (const s of symbols) {
    const w = rules.weights[s];
    if (w === undefined) throw new Error(`portfolio.weights: no weight for ${s}`);
    if (!(Number.isFinite(w) && w > 0)) throw new Error(`portfolio.weights.${s} must be > 0 (got ${w})`);
  }
  for (const s of Object.keys(rules.weights)) if (!symbols.includes(s)) throw new Error(`portfolio.weights: ${s} is not a traded symbol`);
  if (!(Number.isInteger(rules.maxPositions) && rules.maxPositions >= 1))
    throw new Error(`portfolio.max_positions must be an integer >= 1 (got ${rules.maxPositions})`);
  if (rules.maxGrossExposure !== null && !(Number.isFinite(rules.maxGrossExposure) && rules.maxGrossExposure > 0))
    throw new Error(`portfolio.max_gross_exposure must be > 0 (got ${rules.maxGrossExposure})`);
  if (!(rules.maxDailyDrawdown > 0 && rules.maxDailyDrawdown < 1))
    throw new Error(`portfolio.max_daily_drawdown_pct must be in (0, 100) (got ${rules.maxDailyDrawdown * 100})`);
}

/** Equal weights over the symbols: the default. */
export function equalWeights(symbols: readonly string[]): Record<string, number> {
  return Object.fromEntries(symbols.map((s) => [s, 1]));
}
