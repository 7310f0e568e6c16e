/**
 * The backtest driver: strategy.md's timeline composed only of the engine's public steps, so a backtest replays
 * exactly what the live bot does bar by bar (fills at the open, protective exits in the bar, decision at the close).
 */
import { BAR_MS, type Bar } from '../bars';
import { decide, type DecideInput } from './decide';
import type { EngineEvent } from './events';
import { checkProtective, fillAtOpen, finish, type BarResult } from './fills';
import type { TradingParams } from './params';
import { initialState, type OrderIntent, type Trade, type TraderState } from './state';

/** One row of equity.csv: the equity at the open of minute `openTime`, i.e. at the close of the bar before it. */
export interface EquityPoint {
  readonly openTime: number;
  readonly equity: number;
}

export interface StepResult {
  readonly state: TraderState;
  /** Round trips completed in this bar (at most one with strategy.md's rules). */
  readonly trades: readonly Trade[];
  readonly events: readonly EngineEvent[];
  /** Intent decided at this bar's close (null on the last bar, which decides nothing). */
  readonly intent: OrderIntent | null;
}

export interface SimulationResult {
  readonly trades: readonly Trade[];
  /** The starting capital at the start time, then one point per bar close (stamped with the close time). */
  readonly equity: readonly EquityPoint[];
  readonly events: readonly EngineEvent[];
  readonly finalState: TraderState;
}

/** The simulated fills inside `bar`: the pending intent at its open, then stop-loss / take-profit on its range. */
function fillsInBar(state: TraderState, bar: Bar, params: TradingParams): BarResult[] {
  const atOpen = fillAtOpen(state, bar, params);
  return [atOpen, checkProtective(atOpen.state, bar, params)];
}

function collect(results: readonly BarResult[]): { trades: Trade[]; events: EngineEvent[] } {
  const trades: Trade[] = [];
  const events: EngineEvent[] = [];
  for (const r of results) {
    if (r.trade !== null) trades.push(r.trade);
    events.push(...r.events);
  }
  return { trades, events };
}

/** One ordinary test bar: fills at its open, protective exits within it, the decision at its close. */
export function stepBar(state: TraderState, input: DecideInput, params: TradingParams): StepResult {
  const fills = fillsInBar(state, input.bar, params);
  const decision = decide(fills[fills.length - 1]!.state, input, params);
  const { trades, events } = collect(fills);
  return { state: decision.state, trades, events: [...events, ...decision.events], intent: decision.intent };
}

/** The last test bar: fills at its open and within it, then no decision: an open position closes at its close. */
export function lastStep(state: TraderState, bar: Bar, params: TradingParams): StepResult {
  const fills = fillsInBar(state, bar, params);
  const end = finish(fills[fills.length - 1]!.state, bar, params);
  const { trades, events } = collect([...fills, end]);
  return { state: end.state, trades, events, intent: null };
}

function checkInputs(bars: readonly Bar[], predictions: ArrayLike<number | null>, modelVersions: readonly (string | null)[], startTime: number): void {
  if (bars.length === 0) throw new Error('simulate: no bars to trade');
  if (predictions.length !== bars.length) throw new Error(`simulate: ${bars.length} bars but ${predictions.length} predictions`);
  if (modelVersions.length !== bars.length) throw new Error(`simulate: ${bars.length} bars but ${modelVersions.length} model versions`);
  if (startTime > bars[0]!.openTime) throw new Error(`simulate: start time ${startTime} is after the first bar ${bars[0]!.openTime}`);
  for (let i = 1; i < bars.length; i++) {
    if (bars[i]!.openTime <= bars[i - 1]!.openTime) {
      throw new Error(`simulate: bar ${i} (open time ${bars[i]!.openTime}) is not after bar ${i - 1} (${bars[i - 1]!.openTime})`);
    }
  }
}

/**
 * Backtest over the test bars. `predictions[i]` / `modelVersions[i]` belong to the close of `bars[i]`; null (or NaN)
 * means no model for that bar: no entries and no signal exits, while stops, take-profits and the kill switch still
 * act. `startTime` (T0) defaults to the first bar's open time.
 */
export function simulate(
  bars: readonly Bar[],
  predictions: ArrayLike<number | null>,
  modelVersions: readonly (string | null)[],
  params: TradingParams,
  startTime: number = bars[0]?.openTime ?? Number.NaN,
): SimulationResult {
  checkInputs(bars, predictions, modelVersions, startTime);
  let state = initialState(params, startTime);
  const trades: Trade[] = [];
  const events: EngineEvent[] = [];
  const equity: EquityPoint[] = [{ openTime: startTime, equity: state.lastEquity }];
  const last = bars.length - 1;
  for (let i = 0; i <= last; i++) {
    const bar = bars[i]!;
    const step =
      i < last ? stepBar(state, { bar, prediction: predictions[i] ?? null, modelVersion: modelVersions[i] ?? null }, params) : lastStep(state, bar, params);
    state = step.state;
    trades.push(...step.trades);
    events.push(...step.events);
    equity.push({ openTime: bar.openTime + BAR_MS, equity: state.lastEquity });
  }
  return { trades, equity, events, finalState: state };
}
