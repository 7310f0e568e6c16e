/**
 * The portfolio's minute: the UTC day roll (rebalancing, halt lifted), the portfolio kill switch, and the
 * admission of the entries the bots decided at this close, served by absolute prediction then symbol
 * (docs/portfolio.md). Exits never ask.
 */
import { utcDay } from '../bars';
import { portfolioEquity, rebalanceTransfers } from './allocation';
import type { Admission, BookView, EntryRequest, PortfolioRules, PortfolioState, RefusalReason } from './rules';

export interface MinuteOutcome {
  readonly state: PortfolioState;
  /** Cash moved into each book at a day start (empty otherwise). */
  readonly transfers: Readonly<Record<string, number>>;
  /** The kill switch fired at this close: every bot closes its position (reason portfolio_kill_switch). */
  readonly killSwitchFired: boolean;
  readonly admissions: readonly Admission[];
}

/** Serving order of one minute's entries: largest |prediction| first, then symbol. */
export function servingOrder(requests: readonly EntryRequest[]): EntryRequest[] {
  return [...requests].sort((a, b) => Math.abs(b.prediction) - Math.abs(a.prediction) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

function admit(state: PortfolioState, rules: PortfolioRules, books: readonly BookView[], requests: readonly EntryRequest[]): Admission[] {
  const equity = portfolioEquity(books);
  let positions = books.filter((b) => b.notional > 0).length;
  let exposure = books.reduce((s, b) => s + b.notional, 0);
  const out: Admission[] = [];
  for (const r of servingOrder(requests)) {
    let reason: RefusalReason | null = null;
    if (state.halted) reason = 'portfolio_halted';
    else if (positions >= rules.maxPositions) reason = 'max_positions';
    else if (rules.maxGrossExposure !== null && exposure + r.notional > rules.maxGrossExposure * equity) reason = 'max_exposure';
    if (reason !== null) {
      out.push({ symbol: r.symbol, admitted: false, reason });
      continue;
    }
    positions += 1;
    exposure += r.notional;
    out.push({ symbol: r.symbol, admitted: true });
  }
  return out;
}

/**
 * One minute's close. `books` are the bots' books at this close, before this minute's transfers; at a new UTC day
 * they are rebalanced (the transfers sum to zero) and the day opens at the previous minute's summed equity. Requests from symbols already holding a position
 * are a caller error.
 */
export function portfolioMinute(
  state: PortfolioState,
  rules: PortfolioRules,
  input: { readonly openTime: number; readonly books: readonly BookView[]; readonly requests: readonly EntryRequest[] },
): MinuteOutcome {
  const { books, requests, openTime } = input;
  for (const r of requests) {
    const book = books.find((b) => b.symbol === r.symbol);
    if (book === undefined) throw new Error(`portfolio: entry request from ${r.symbol}, which is not in the portfolio`);
    if (book.notional > 0) throw new Error(`portfolio: ${r.symbol} asks to enter while it holds a position`);
  }
  const day = utcDay(openTime);
  const equity = portfolioEquity(books);
  let next: PortfolioState = { ...state, lastEquity: equity };
  let transfers: Record<string, number> = {};
  if (state.day === null || day > state.day) {
    transfers = rebalanceTransfers(rules, books);
    // The opening is the previous day's last close (the starting equity on the first day).
    next = { day, dayOpenEquity: state.lastEquity ?? equity, halted: false, lastEquity: equity };
  }
  let killSwitchFired = false;
  if (!next.halted && equity <= next.dayOpenEquity * (1 - rules.maxDailyDrawdown)) {
    next = { ...next, halted: true };
    killSwitchFired = true;
  }
  return { state: next, transfers, killSwitchFired, admissions: admit(next, rules, books, requests) };
}

/** An operator's portfolio resume: lifts the halt and re-bases the day opening to the current equity. */
export function resumePortfolio(state: PortfolioState, books: readonly BookView[]): PortfolioState {
  const equity = portfolioEquity(books);
  return { ...state, halted: false, dayOpenEquity: equity, lastEquity: equity };
}
