/**
 * A bot's side of the portfolio rules (docs/portfolio.md), used by the portfolio backtest (simulate.ts) and by the
 * live and paper bots alike, so both paths ask the same question and apply the same answer in the same order:
 * after `decide`, the bot shows its book and its entry request (a refusal settles that entry at once); before its
 * next bar opens, it books the verdict's cash transfer, then the portfolio kill switch's halt.
 */
import { utcDay } from '../bars';
import { bookCash } from '../trading/reconcile';
import type { Decision, TraderState, TradingParams } from '../trading';
import type { BookView, EntryRequest, RefusalReason } from './rules';

/** The book the portfolio sees at a close: equity after the decision, notional marked at the bar's close. */
export function bookOf(symbol: string, trader: TraderState, close: number): BookView {
  return { symbol, equity: trader.lastEquity, notional: trader.position === null ? 0 : trader.position.qty * close };
}

/** The entry the decision asks for (null: no entry decided), sized as strategy.md sizes it. */
export function entryRequestOf(symbol: string, decision: Decision, prediction: number, params: TradingParams): EntryRequest | null {
  const intent = decision.intent;
  if (intent === null || intent.type === 'CLOSE') return null;
  const notional = decision.state.lastEquity * params.positionFraction * params.leverage;
  return { symbol, side: intent.type === 'OPEN_LONG' ? 'LONG' : 'SHORT', prediction, notional };
}

/** Why an entry did not go ahead: a rule, or no answer from the portfolio in time (live and paper only). */
export type EntryRefusal = RefusalReason | 'portfolio_unavailable';

/** What the portfolio tells one bot after a minute. */
export interface PortfolioVerdict {
  /** The minute (bar open time) it answers. */
  readonly openTime: number;
  /** Set when the bot's entry of that minute is refused. */
  readonly refusal: EntryRefusal | null;
  /** Cash moved into the bot's book (the daily rebalancing); 0 on most minutes. */
  readonly transfer: number;
  /** The portfolio kill switch fired: close the position, enter nothing more this UTC day. */
  readonly halt: boolean;
}

/** What a bot books from its verdicts: the cash transfer and the halt (the refusal acts at once, on its entry). */
export type BookedVerdict = Pick<PortfolioVerdict, 'openTime' | 'transfer' | 'halt'>;

/**
 * Folds verdicts into one booking: transfers add up, a halt stays (dated by the minute that fired it, whose UTC day
 * the bot is halted for). Null when there is nothing to book.
 */
export function foldBookings(verdicts: readonly BookedVerdict[]): BookedVerdict | null {
  if (verdicts.length === 0) return null;
  const halts = verdicts.filter((v) => v.halt);
  const last = verdicts.reduce((a, b) => (b.openTime > a.openTime ? b : a));
  return {
    openTime: halts.length > 0 ? Math.max(...halts.map((v) => v.openTime)) : last.openTime,
    transfer: verdicts.reduce((sum, v) => sum + v.transfer, 0),
    halt: halts.length > 0,
  };
}

/**
 * Books a verdict at the bot's next bar, before it opens: the transfer re-bases the bot's day opening (a transfer is
 * not a loss for its own kill switch), and a halt acts as the bot's own kill switch would.
 */
export function applyPortfolioVerdict(trader: TraderState, verdict: BookedVerdict): TraderState {
  const funded = bookCash(trader, verdict.transfer, true);
  if (!verdict.halt) return funded;
  const halted = { ...funded, halted: true, haltedDay: utcDay(verdict.openTime) };
  return funded.position === null ? { ...halted, pending: null } : { ...halted, pending: { type: 'CLOSE', reason: 'kill_switch' } };
}
