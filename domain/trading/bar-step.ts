/**
 * One closed bar, in the same sequence for the backtest, paper and live trading (docs/strategy.md
 * "Decisions at each bar close"):
 *   1. openBar: what happens inside the bar: funding due at its open, a liquidation when it opens beyond the
 *      liquidation price, the pending intent at its open and the stop-loss / take-profit on its range, simulated
 *      from the bar (backtest, paper) or as the exchange reports them (live);
 *   2. decide at the close (decide.ts);
 *   3. settleIntent: what became of the intent: a simulated one waits for the next bar's open; an exchange fill is
 *      booked at once (it filled right after the close, i.e. in the next bar); a refused order is dropped.
 * The seams are data (BarFills, Execution): the only thing live trading adds is fetching those reports.
 */
import { BAR_MS, type Bar } from '../bars';
import { decide, type DecideInput, type Decision } from './decide';
import type { EngineEvent } from './events';
import { applyFill, checkProtective, fillAtOpen, fillForIntent, finish, liquidateAtOpen, type BarResult } from './fills';
import { applyFunding, type FundingRate } from './funding';
import { clearIntent } from './operator';
import type { TradingParams } from './params';
import type { OrderIntent, ProtectiveExitReason, Trade, TraderState } from './state';

/** One row of equity.csv: the equity at the open of minute `openTime`, i.e. at the close of the bar before it. */
export interface EquityPoint {
  readonly openTime: number;
  readonly equity: number;
}

/** A stop-loss or take-profit order the exchange filled on its own (live mode). */
export interface ExchangeExit {
  readonly reason: ProtectiveExitReason;
  readonly price: number;
  readonly fee: number;
  /** When it filled (Unix ms); booked in the bar (minute) that contains it. */
  readonly time: number;
}

/** How the fills inside a bar are known. */
export type BarFills = { readonly source: 'simulated' } | { readonly source: 'exchange'; readonly exit: ExchangeExit | null };

/** What became of the intent decided at a close. */
export type Execution =
  | { readonly source: 'simulated' }
  | { readonly source: 'exchange'; readonly price: number; readonly qty: number; readonly fee: number }
  | { readonly source: 'refused'; readonly error: string };

export const SIMULATED = { source: 'simulated' } as const;

export interface BarOpened {
  readonly state: TraderState;
  readonly trades: readonly Trade[];
  readonly events: readonly EngineEvent[];
}

export interface StepResult extends BarOpened {
  /** Intent decided at this bar's close and still standing (null on the last bar, or when the order was refused). */
  readonly intent: OrderIntent | null;
}

export interface BarStepResult extends StepResult {
  /** Equity at this bar's close, stamped with the close time (the next minute's open time). */
  readonly equity: EquityPoint;
}

function collect(results: readonly BarResult[]): BarOpened {
  const trades: Trade[] = [];
  const events: EngineEvent[] = [];
  for (const r of results) {
    if (r.trade !== null) trades.push(r.trade);
    events.push(...r.events);
  }
  return { state: results[results.length - 1]!.state, trades, events };
}

/**
 * Phase 1: what happens inside `bar`. `funding` is the series' entry for the minute `bar` opens in (null or
 * omitted: none); it is paid first, before any fill at the open. Simulated fills then check the liquidation price
 * at the open, fill the pending intent at the open and the stop-loss / take-profit in the range. Exchange fills
 * book the protective exit the exchange reported (the live bot books the exchange's own funding instead, through
 * payFunding, and passes no `funding` here).
 */
export function openBar(state: TraderState, bar: Bar, params: TradingParams, fills: BarFills, funding: FundingRate | null = null): BarOpened {
  const funded: BarResult = { ...applyFunding(state, bar, funding), trade: null };
  if (fills.source === 'simulated') {
    const liquidated = liquidateAtOpen(funded.state, bar, params);
    const atOpen = fillAtOpen(liquidated.state, bar, params);
    return collect([funded, liquidated, atOpen, checkProtective(atOpen.state, bar, params)]);
  }
  if (fills.exit === null || funded.state.position === null) return collect([funded]);
  const exit = fills.exit;
  const time = Math.floor(exit.time / BAR_MS) * BAR_MS;
  const applied = applyFill(funded.state, { type: 'CLOSE', reason: exit.reason, price: exit.price, fee: exit.fee, time }, params);
  return collect([funded, { ...applied, events: [] }]);
}

/** Phase 3: books the execution of the decision taken at the close of `bar`. */
export function settleIntent(opened: BarOpened, decision: Decision, bar: Bar, params: TradingParams, execution: Execution): BarStepResult {
  let state = decision.state;
  let intent = decision.intent;
  const trades = [...opened.trades];
  if (intent !== null && execution.source === 'exchange') {
    const applied = applyFill(
      state,
      fillForIntent(intent, { price: execution.price, qty: execution.qty, fee: execution.fee, time: bar.openTime + BAR_MS }),
      params,
    );
    state = applied.state;
    if (applied.trade) trades.push(applied.trade);
  } else if (intent !== null && execution.source === 'refused') {
    state = clearIntent(state);
    intent = null;
  }
  return { state, trades, events: [...opened.events, ...decision.events], intent, equity: { openTime: bar.openTime + BAR_MS, equity: state.lastEquity } };
}

export interface StepInput extends DecideInput {
  /** The funding due at the bar's open (the series' entry for its minute), or null / omitted: none. */
  readonly funding?: FundingRate | null;
}

/** One ordinary bar with simulated fills: phases 1-3 (the backtest's and the paper bot's step). */
export function stepBar(state: TraderState, input: StepInput, params: TradingParams): BarStepResult {
  const opened = openBar(state, input.bar, params, SIMULATED, input.funding ?? null);
  return settleIntent(opened, decide(opened.state, input, params), input.bar, params, SIMULATED);
}

/** The last test bar: funding and fills at its open and within it, then no decision: an open position closes at its close. */
export function lastStep(state: TraderState, bar: Bar, params: TradingParams, funding: FundingRate | null = null): BarStepResult {
  const opened = openBar(state, bar, params, SIMULATED, funding);
  const end = finish(opened.state, bar, params);
  return {
    state: end.state,
    trades: end.trade ? [...opened.trades, end.trade] : opened.trades,
    events: [...opened.events, ...end.events],
    intent: null,
    equity: { openTime: bar.openTime + BAR_MS, equity: end.state.lastEquity },
  };
}

export interface BarStepInput extends StepInput {
  /** The last bar of a backtest decides nothing: an open position closes at its close (end_of_test). */
  readonly last: boolean;
  readonly params: TradingParams;
}

/** A bar with simulated fills, as the backtest replays it in bulk and the paper bot runs it live. */
export function processBar(state: TraderState, input: BarStepInput): BarStepResult {
  return input.last ? lastStep(state, input.bar, input.params, input.funding ?? null) : stepBar(state, input, input.params);
}
