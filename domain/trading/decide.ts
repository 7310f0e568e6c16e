/**
 * The decision at a bar close (docs/strategy.md "Decisions at each bar close"): mark equity, roll the UTC day,
 * run the kill switch, then choose at most one order intent. Pure: the same state and input give the same output.
 */
import { BAR_MS, utcDay, type Bar } from '../bars';
import type { EngineEvent } from './events';
import { cooldownAllows } from './fills';
import { stopBeyondLiquidation } from './margin';
import type { TradingParams } from './params';
import { entryQuantity, equityAt } from './pricing';
import type { OrderIntent, Side, TraderState } from './state';

export interface DecideInput {
  /** The bar that just closed. */
  readonly bar: Bar;
  /** Predicted forward return at this close; null or NaN when no model is available (no entries, no signal exits). */
  readonly prediction: number | null;
  /** Version of the model that made the prediction (recorded on positions it opens); null means no model. */
  readonly modelVersion: string | null;
}

export interface Decision {
  readonly state: TraderState;
  /** The intent now pending (also `state.pending`): to execute at the next fill opportunity. */
  readonly intent: OrderIntent | null;
  readonly events: readonly EngineEvent[];
}

/** Kill-switch reference for the bar's UTC day: the equity at the last close of an earlier day becomes the opening equity. */
function rollDay(state: TraderState, bar: Bar, events: EngineEvent[]): TraderState {
  const day = utcDay(bar.openTime);
  if (day <= state.day) return state;
  let next: TraderState = { ...state, day, dayOpenEquity: state.lastEquity };
  events.push({ type: 'day_started', time: bar.openTime, day, openingEquity: state.lastEquity });
  if (next.halted && next.haltedDay !== null && next.haltedDay < day) {
    next = { ...next, halted: false, haltedDay: null };
    events.push({ type: 'halt_expired', time: bar.openTime, day });
  }
  return next;
}

function entrySide(prediction: number, params: TradingParams): Side | null {
  if (prediction > params.entryThreshold) return 'LONG';
  if (prediction < -params.entryThreshold) return 'SHORT';
  return null;
}

function reversal(side: Side, prediction: number, params: TradingParams): boolean {
  return side === 'LONG' ? prediction < -params.exitThreshold : prediction > params.exitThreshold;
}

type EntryBlock = 'halted' | 'paused' | 'cooldown' | 'no_equity' | 'stop_beyond_liquidation';

/** Why an entry signalled at this bar's close may not be taken, or null when it may. */
function entryBlock(state: TraderState, side: Side, bar: Bar, params: TradingParams): EntryBlock | null {
  if (state.halted) return 'halted';
  if (state.paused) return 'paused';
  // The entry would fill in the next bar, which opens at this bar's close time.
  if (!cooldownAllows(state, bar.openTime + BAR_MS, params)) return 'cooldown';
  if (state.cash <= 0) return 'no_equity';
  // The notional (and so the bracket) is known now: flat, the cash does not change before the fill. The refusal
  // does not depend on the fill price, so the close stands in for it.
  if (stopBeyondLiquidation(side, entryQuantity(state.cash, bar.close, params), bar.close, params)) return 'stop_beyond_liquidation';
  return null;
}

/**
 * Runs at each bar close: rolls the UTC day, records the equity marked at the close, runs the kill switch, then
 * decides. With a position: a pending CLOSE stands, else the kill switch closes it, else a reversal does. Flat:
 * an entry when the prediction crosses a threshold and neither halt, pause, cooldown, empty equity nor a stop-loss
 * beyond the liquidation price blocks it.
 */
export function decide(state: TraderState, input: DecideInput, params: TradingParams): Decision {
  const { bar } = input;
  if (state.lastBarTime !== null && bar.openTime <= state.lastBarTime) {
    throw new Error(`decide: bar ${bar.openTime} is not after the last decided bar ${state.lastBarTime}`);
  }
  const events: EngineEvent[] = [];
  let next = rollDay(state, bar, events);

  const equity = equityAt(next, bar.close);
  next = { ...next, lastEquity: equity, lastBarTime: bar.openTime, counters: { ...next.counters, bars: next.counters.bars + 1 } };

  // A fall of exactly maxDailyDrawdownFraction fires. It does not re-fire while halted; resume() re-bases the day's reference.
  if (!next.halted && equity <= next.dayOpenEquity * (1 - params.maxDailyDrawdownFraction)) {
    next = { ...next, halted: true, haltedDay: next.day };
    events.push({
      type: 'kill_switch',
      time: bar.openTime,
      equity,
      dayOpenEquity: next.dayOpenEquity,
      drawdown: 1 - equity / next.dayOpenEquity,
    });
  }

  // A prediction counts only with the model that made it; null/NaN means no model for this bar.
  const p = input.modelVersion !== null && input.prediction !== null && Number.isFinite(input.prediction) ? input.prediction : null;
  let intent: OrderIntent | null = null;
  if (next.position !== null) {
    if (next.pending?.type === 'CLOSE')
      intent = next.pending; // an unfilled close (e.g. flatten) stands
    else if (next.halted) intent = { type: 'CLOSE', reason: 'kill_switch' };
    else if (p !== null && reversal(next.position.side, p, params)) intent = { type: 'CLOSE', reason: 'signal' };
  } else if (p !== null && input.modelVersion !== null) {
    const side = entrySide(p, params);
    if (side !== null) {
      const skip = entryBlock(next, side, bar, params);
      if (skip !== null) events.push({ type: 'entry_skipped', time: bar.openTime, side, reason: skip });
      else intent = { type: side === 'LONG' ? 'OPEN_LONG' : 'OPEN_SHORT', modelVersion: input.modelVersion };
    }
  }
  return { state: { ...next, pending: intent }, intent, events };
}
