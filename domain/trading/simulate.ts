/**
 * The backtest driver: strategy.md's timeline composed only of the engine's public steps, so a backtest replays
 * exactly what the live bot does bar by bar (fills at the open, protective exits in the bar, decision at the close).
 */
import { BAR_MS, type Bar } from '../bars';
import { lastStep, stepBar, type EquityPoint } from './bar-step';
import type { EngineEvent } from './events';
import { fundingByMinute, type FundingRate } from './funding';
import type { TradingParams } from './params';
import { initialState, type Trade, type TraderState } from './state';

export interface SimulationResult {
  readonly trades: readonly Trade[];
  /** The starting capital at the start time, then one point per bar close (stamped with the close time). */
  readonly equity: readonly EquityPoint[];
  readonly events: readonly EngineEvent[];
  readonly finalState: TraderState;
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
 * act. `startTime` (T0) defaults to the first bar's open time. `funding` is the funding series: each entry is paid at
 * the open of the bar opening in its minute; one in a gap of `bars` or after the last bar pays nothing.
 */
export function simulate(
  bars: readonly Bar[],
  predictions: ArrayLike<number | null>,
  modelVersions: readonly (string | null)[],
  params: TradingParams,
  startTime: number = bars[0]?.openTime ?? Number.NaN,
  funding: readonly FundingRate[] = [],
): SimulationResult {
  checkInputs(bars, predictions, modelVersions, startTime);
  const fundingAt = fundingByMinute(funding);
  let state = initialState(params, startTime);
  const trades: Trade[] = [];
  const events: EngineEvent[] = [];
  const equity: EquityPoint[] = [{ openTime: startTime, equity: state.lastEquity }];
  const last = bars.length - 1;
  for (let i = 0; i <= last; i++) {
    const bar = bars[i]!;
    const due = fundingAt.get(bar.openTime) ?? null;
    const step =
      i < last
        ? stepBar(state, { bar, prediction: predictions[i] ?? null, modelVersion: modelVersions[i] ?? null, funding: due }, params)
        : lastStep(state, bar, params, due);
    state = step.state;
    trades.push(...step.trades);
    events.push(...step.events);
    equity.push({ openTime: bar.openTime + BAR_MS, equity: state.lastEquity });
  }
  return { trades, equity, events, finalState: state };
}
