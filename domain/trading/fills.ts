/**
 * Fills: how intents, protective exits and liquidations change the state. `applyFill` takes any fill price (live
 * execution passes the exchange's); `fillAtOpen`, `liquidateAtOpen`, `checkProtective` and `finish` are the simulated
 * fills of strategy.md built on it.
 */
import { BAR_MS, type Bar } from '../bars';
import type { EngineEvent } from './events';
import { bankruptcyPrice, liquidatesAt, marginTerms, stopBeyondLiquidation } from './margin';
import type { TradingParams } from './params';
import { closingOrder, direction, entryQuantity, equityAt, openingOrder, protectiveLevels, slippedPrice, takerFee } from './pricing';
import type { ExitReason, OrderIntent, Position, Side, Trade, TraderState } from './state';

/**
 * A fill to book. `time` is the open time of the bar (minute) in which the fill happened: it becomes the entry or
 * exit time. `price` is the actual fill price, slippage included. `qty` (entries only) and `fee` default to the
 * engine's own sizing and taker fee; live execution passes the exchange's rounded quantity and charged fee.
 * A CLOSE always closes the whole position.
 */
export type Fill =
  | {
      readonly type: 'OPEN';
      readonly side: Side;
      readonly modelVersion: string;
      readonly price: number;
      readonly time: number;
      readonly qty?: number;
      readonly fee?: number;
    }
  | { readonly type: 'CLOSE'; readonly reason: ExitReason; readonly price: number; readonly time: number; readonly fee?: number };

export interface AppliedFill {
  readonly state: TraderState;
  /** The round trip a CLOSE completed; null for an OPEN. */
  readonly trade: Trade | null;
}

export interface BarResult {
  readonly state: TraderState;
  readonly trade: Trade | null;
  readonly events: readonly EngineEvent[];
}

/** The fill of `intent` at an execution price and time (e.g. the exchange's report of the order). */
export function fillForIntent(
  intent: OrderIntent,
  execution: { readonly price: number; readonly time: number; readonly qty?: number; readonly fee?: number },
): Fill {
  if (intent.type === 'CLOSE') {
    return {
      type: 'CLOSE',
      reason: intent.reason,
      price: execution.price,
      time: execution.time,
      ...(execution.fee === undefined ? {} : { fee: execution.fee }),
    };
  }
  return { type: 'OPEN', side: intent.type === 'OPEN_LONG' ? 'LONG' : 'SHORT', modelVersion: intent.modelVersion, ...execution };
}

function checkFill(fill: Fill): void {
  const bad = (what: string, v: unknown): never => {
    throw new Error(`applyFill: ${fill.type} fill has an invalid ${what}: ${String(v)}`);
  };
  if (!Number.isFinite(fill.price) || fill.price <= 0) bad('price (must be > 0)', fill.price);
  if (!Number.isFinite(fill.time)) bad('time (must be Unix ms)', fill.time);
  if (fill.fee !== undefined && (!Number.isFinite(fill.fee) || fill.fee < 0)) bad('fee (must be >= 0)', fill.fee);
  if (fill.type === 'OPEN' && fill.qty !== undefined && (!Number.isFinite(fill.qty) || fill.qty <= 0)) bad('qty (must be > 0)', fill.qty);
}

/** Books a fill. Opening while a position is open, or closing while flat, is a caller error and throws. */
export function applyFill(state: TraderState, fill: Fill, params: TradingParams): AppliedFill {
  checkFill(fill);
  if (fill.type === 'OPEN') {
    if (state.position !== null) {
      throw new Error(`applyFill: cannot open ${fill.side} at ${fill.time}: a ${state.position.side} position is already open`);
    }
    // Flat at an entry, so equity at the fill is the cash.
    const qty = fill.qty ?? entryQuantity(state.cash, fill.price, params);
    const fee = fill.fee ?? takerFee(qty, fill.price, params);
    const position: Position = {
      side: fill.side,
      qty,
      entryPrice: fill.price,
      entryTime: fill.time,
      entryFee: fee,
      modelVersion: fill.modelVersion,
      funding: 0,
      ...marginTerms(fill.side, qty, fill.price, params),
    };
    return {
      state: {
        ...state,
        cash: state.cash - fee,
        position,
        pending: null,
        counters: { ...state.counters, feesPaid: state.counters.feesPaid + fee },
      },
      trade: null,
    };
  }
  const position = state.position;
  if (position === null) throw new Error(`applyFill: cannot close (${fill.reason}) at ${fill.time}: no open position`);
  const fee = fill.fee ?? takerFee(position.qty, fill.price, params);
  const pricePnl = direction(position.side) * position.qty * (fill.price - position.entryPrice);
  // Funding was paid from cash as it fell due; the trade records it (a missing field: stored before funding existed).
  const funding = position.funding ?? 0;
  const netPnl = pricePnl - position.entryFee - fee - funding;
  const trade: Trade = {
    side: position.side,
    entryTime: position.entryTime,
    entryPrice: position.entryPrice,
    exitTime: fill.time,
    exitPrice: fill.price,
    qty: position.qty,
    fees: position.entryFee + fee,
    funding,
    netPnl,
    exitReason: fill.reason,
    modelVersion: position.modelVersion,
  };
  return {
    state: {
      ...state,
      cash: state.cash + pricePnl - fee,
      position: null,
      // Whatever was pending was about this position (or a re-entry the cooldown would now refuse).
      pending: null,
      lastExitTime: fill.time,
      counters: {
        ...state.counters,
        trades: state.counters.trades + 1,
        wins: state.counters.wins + (netPnl > 0 ? 1 : 0),
        feesPaid: state.counters.feesPaid + fee,
      },
    },
    trade,
  };
}

/** True when an entry filling in a bar that opens at `fillBarOpen` respects the cooldown after the last exit. */
export function cooldownAllows(state: Pick<TraderState, 'lastExitTime'>, fillBarOpen: number, params: TradingParams): boolean {
  return state.lastExitTime === null || fillBarOpen - state.lastExitTime >= params.cooldownMinutes * BAR_MS;
}

/**
 * Simulated fill of the pending intent at `bar.open`, slippage against the trader, taker fee on the notional at the
 * fill price. An entry whose bar opens inside the cooldown, an entry while a position is open, an entry whose
 * stop-loss would lie at or beyond its liquidation price, or a CLOSE while flat is dropped (reported as an event)
 * instead of filled.
 */
export function fillAtOpen(state: TraderState, bar: Bar, params: TradingParams): BarResult {
  const intent = state.pending;
  if (intent === null) return { state, trade: null, events: [] };
  const dropped = (reason: 'cooldown' | 'no_position' | 'position_open' | 'no_equity' | 'stop_beyond_liquidation'): BarResult => ({
    state: { ...state, pending: null },
    trade: null,
    events: [{ type: 'intent_dropped', time: bar.openTime, intent, reason }],
  });
  if (intent.type === 'CLOSE') {
    if (state.position === null) return dropped('no_position');
    const price = slippedPrice(bar.open, closingOrder(state.position.side), params);
    const { state: next, trade } = applyFill(state, { type: 'CLOSE', reason: intent.reason, price, time: bar.openTime }, params);
    return { state: next, trade, events: [] };
  }
  if (state.position !== null) return dropped('position_open');
  if (!cooldownAllows(state, bar.openTime, params)) return dropped('cooldown');
  if (state.cash <= 0) return dropped('no_equity');
  const side: Side = intent.type === 'OPEN_LONG' ? 'LONG' : 'SHORT';
  const price = slippedPrice(bar.open, openingOrder(side), params);
  if (stopBeyondLiquidation(side, entryQuantity(state.cash, price, params), price, params)) return dropped('stop_beyond_liquidation');
  const { state: next } = applyFill(state, { type: 'OPEN', side, modelVersion: intent.modelVersion, price, time: bar.openTime }, params);
  return { state: next, trade: null, events: [] };
}

/**
 * Isolated-margin liquidation at the open of `bar`: a bar opening at or beyond the position's liquidation price
 * closes it at its bankruptcy price (the price loss equals the margin), without slippage, paying the exit fee.
 * Checked before the pending fill: the position is gone before an order could fill at that open. Inside a bar the
 * stop-loss, which may not lie beyond the liquidation price, is always reached first.
 */
export function liquidateAtOpen(state: TraderState, bar: Bar, params: TradingParams): BarResult {
  const position = state.position;
  if (position === null || position.margin === undefined || !liquidatesAt(position, bar.open)) return { state, trade: null, events: [] };
  const price = bankruptcyPrice({ ...position, margin: position.margin });
  const { state: next, trade } = applyFill(state, { type: 'CLOSE', reason: 'liquidation', price, time: bar.openTime }, params);
  return { state: next, trade, events: [] };
}

/**
 * Whether `bar` triggers the position's stop-loss or take-profit, and at what price before slippage. A level counts
 * as reached when the low/high touches it; when both are reached in the bar the stop-loss counts, even if the bar
 * opened beyond the take-profit (the conservative reading of "the stop-loss counts first"). The price is the level,
 * or the bar's open when the bar opens beyond the level (a gap).
 */
export function protectiveExit(
  position: Position,
  bar: Bar,
  params: TradingParams,
): { readonly reason: 'stop_loss' | 'take_profit'; readonly price: number } | null {
  const { stop, take } = protectiveLevels(position, params);
  if (position.side === 'LONG') {
    if (bar.low <= stop) return { reason: 'stop_loss', price: Math.min(bar.open, stop) };
    if (bar.high >= take) return { reason: 'take_profit', price: Math.max(bar.open, take) };
  } else {
    if (bar.high >= stop) return { reason: 'stop_loss', price: Math.max(bar.open, stop) };
    if (bar.low <= take) return { reason: 'take_profit', price: Math.min(bar.open, take) };
  }
  return null;
}

/** Simulated stop-loss / take-profit exit in `bar` (also the bar in which the entry filled); the fill pays slippage and the fee. */
export function checkProtective(state: TraderState, bar: Bar, params: TradingParams): BarResult {
  if (state.position === null) return { state, trade: null, events: [] };
  const hit = protectiveExit(state.position, bar, params);
  if (hit === null) return { state, trade: null, events: [] };
  const price = slippedPrice(hit.price, closingOrder(state.position.side), params);
  const { state: next, trade } = applyFill(state, { type: 'CLOSE', reason: hit.reason, price, time: bar.openTime }, params);
  return { state: next, trade, events: [] };
}

/**
 * End of a backtest at the close of its last bar, which makes no new decision: any pending intent is discarded and
 * an open position closes at the close (slippage and fee paid), exit reason end_of_test, exit time the bar's open
 * time (the bar in which the exit filled). The equity recorded for this close is after that exit.
 */
export function finish(state: TraderState, lastBar: Bar, params: TradingParams): BarResult {
  if (state.lastBarTime !== null && lastBar.openTime <= state.lastBarTime) {
    throw new Error(`finish: bar ${lastBar.openTime} is not after the last decided bar ${state.lastBarTime}`);
  }
  let next: TraderState = { ...state, pending: null };
  let trade: Trade | null = null;
  if (next.position !== null) {
    const price = slippedPrice(lastBar.close, closingOrder(next.position.side), params);
    ({ state: next, trade } = applyFill(next, { type: 'CLOSE', reason: 'end_of_test', price, time: lastBar.openTime }, params));
  }
  next = {
    ...next,
    lastEquity: equityAt(next, lastBar.close),
    lastBarTime: lastBar.openTime,
    counters: { ...next.counters, bars: next.counters.bars + 1 },
  };
  return { state: next, trade, events: [] };
}
