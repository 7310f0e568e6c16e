/**
 * The portfolio over a merged timeline (the portfolio backtest's core): every symbol runs the strategy's own bar
 * step (domain/trading: openBar, decide, settleIntent, the same seams live trading uses), and at each minute's
 * close the portfolio rules (risk.ts) admit or refuse the entries decided, rebalance at the UTC day start and run
 * the portfolio kill switch. A refused entry is settled as a refused execution, as a refused exchange order is.
 * Symbols without a bar in a minute (gaps) keep their last book.
 */
import { BAR_MS, type Bar } from '../bars';
import { decide, openBar, settleIntent, SIMULATED, type EquityPoint, type FundingRate, type Trade, type TraderState, type TradingParams } from '../trading';
import { initialState } from '../trading/state';
import { portfolioMinute } from './risk';
import { applyPortfolioVerdict, bookOf, entryRequestOf, foldBookings, type BookedVerdict } from './bot-side';
import { INITIAL_PORTFOLIO, type BookView, type EntryRequest, type PortfolioRules, type PortfolioState, type RefusalReason } from './rules';

export interface SymbolSeries {
  readonly symbol: string;
  /** Ascending test bars. */
  readonly bars: readonly Bar[];
  /** The model's prediction at each bar's close (NaN: none), aligned with `bars`. */
  readonly predictions: ArrayLike<number>;
  readonly modelVersion: string;
  /** Funding by the minute it is paid in. */
  readonly funding?: ReadonlyMap<number, FundingRate>;
}

export interface PortfolioRefusal {
  readonly time: number;
  readonly symbol: string;
  readonly reason: RefusalReason;
}

export interface PortfolioResult {
  readonly states: Readonly<Record<string, TraderState>>;
  readonly trades: readonly (Trade & { readonly symbol: string })[];
  /** The portfolio's equity at each minute's close. */
  readonly equity: readonly EquityPoint[];
  readonly refusals: readonly PortfolioRefusal[];
  readonly killSwitches: readonly number[];
  readonly portfolio: PortfolioState;
}

/**
 * Simulates every symbol under the portfolio rules. Each symbol's params carry its starting capital; the first
 * minute rebalances them to the weights. The last minute of the timeline decides nothing further (positions stay
 * open: the caller closes them as its end-of-test rule says).
 */
export function simulatePortfolio(rules: PortfolioRules, series: readonly SymbolSeries[], params: Readonly<Record<string, TradingParams>>): PortfolioResult {
  const times = [...new Set(series.flatMap((s) => s.bars.map((b) => b.openTime)))].sort((a, b) => a - b);
  if (times.length === 0) throw new Error('simulatePortfolio: no bars');
  const states: Record<string, TraderState> = {};
  const next: Record<string, number> = {};
  const lastClose: Record<string, number> = {};
  for (const s of series) {
    if (s.bars.length !== s.predictions.length)
      throw new Error(`simulatePortfolio: ${s.symbol} has ${s.bars.length} bars but ${s.predictions.length} predictions`);
    states[s.symbol] = initialState(params[s.symbol]!, times[0]!);
    next[s.symbol] = 0;
    lastClose[s.symbol] = s.bars[0]?.open ?? 0;
  }
  // Each symbol's verdict, booked before its next bar opens (as the bots book theirs).
  const owed: Record<string, BookedVerdict> = {};
  const book = (symbol: string): TraderState => {
    const verdict = owed[symbol];
    return verdict === undefined ? states[symbol]! : applyPortfolioVerdict(states[symbol]!, verdict);
  };
  let portfolio = INITIAL_PORTFOLIO;
  const trades: (Trade & { symbol: string })[] = [];
  const equity: EquityPoint[] = [];
  const refusals: PortfolioRefusal[] = [];
  const killSwitches: number[] = [];
  for (const time of times) {
    const decided = new Map<string, { opened: ReturnType<typeof openBar>; decision: ReturnType<typeof decide>; bar: Bar }>();
    const requests: EntryRequest[] = [];
    for (const s of series) {
      const i = next[s.symbol]!;
      const bar = s.bars[i];
      if (bar === undefined || bar.openTime !== time) continue;
      next[s.symbol] = i + 1;
      states[s.symbol] = book(s.symbol);
      delete owed[s.symbol];
      const p = params[s.symbol]!;
      const prediction = s.predictions[i]!;
      const opened = openBar(states[s.symbol]!, bar, p, SIMULATED, s.funding?.get(time) ?? null);
      const decision = decide(opened.state, { bar, prediction: Number.isFinite(prediction) ? prediction : null, modelVersion: s.modelVersion }, p);
      decided.set(s.symbol, { opened, decision, bar });
      lastClose[s.symbol] = bar.close;
      const request = entryRequestOf(s.symbol, decision, prediction, p);
      if (request !== null) requests.push(request);
    }
    const books: BookView[] = series.map((s) => bookOf(s.symbol, decided.get(s.symbol)?.decision.state ?? book(s.symbol), lastClose[s.symbol]!));
    const outcome = portfolioMinute(portfolio, rules, { openTime: time, books, requests });
    portfolio = outcome.state;
    const refused = new Map(outcome.admissions.flatMap((a) => (a.admitted ? [] : [[a.symbol, a.reason] as const])));
    for (const s of series) {
      const d = decided.get(s.symbol);
      if (d === undefined) continue;
      const reason = refused.get(s.symbol);
      const p = params[s.symbol]!;
      const step = settleIntent(d.opened, d.decision, d.bar, p, reason === undefined ? SIMULATED : { source: 'refused', error: reason });
      if (reason !== undefined) refusals.push({ time, symbol: s.symbol, reason });
      states[s.symbol] = step.state;
      for (const t of step.trades) trades.push({ ...t, symbol: s.symbol });
    }
    // Every bot's transfer, then (kill switch) its close at the next fill and no entry more today: owed until its next bar.
    for (const s of series) {
      const verdict = { openTime: time, transfer: outcome.transfers[s.symbol] ?? 0, halt: outcome.killSwitchFired };
      const earlier = owed[s.symbol];
      owed[s.symbol] = foldBookings(earlier === undefined ? [verdict] : [earlier, verdict])!;
    }
    if (outcome.killSwitchFired) killSwitches.push(time);
    // Transfers sum to zero: the portfolio's equity is the same booked or owed.
    equity.push({ openTime: time + BAR_MS, equity: series.reduce((sum, s) => sum + book(s.symbol).lastEquity, 0) });
  }
  for (const s of series) states[s.symbol] = book(s.symbol);
  return { states, trades, equity, refusals, killSwitches, portfolio };
}
