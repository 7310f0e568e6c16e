/**
 * One combination over the whole test period, from a walk-forward's stored predictions: the same loop as the
 * backtest's simulateChunk (processBar, the live bot's step, simulated fills; funding at each bar's open; the last
 * bar closes an open position), without the chunk cuts, which carry the state unchanged and so change nothing.
 */
import type { Bar } from '../bars';
import { initialState, processBar, type EquityPoint, type FundingRate, type Trade, type TradingParams } from '../trading';

export interface StoredPredictions {
  readonly openTime: readonly number[];
  readonly prediction: readonly number[];
  readonly modelVersion: readonly string[];
}

export interface Replay {
  readonly trades: readonly Trade[];
  readonly equity: readonly EquityPoint[];
}

/** `bars` are the test bars, one per stored prediction and in the same order (checked). */
export function replayCombination(
  bars: readonly Bar[],
  predictions: StoredPredictions,
  params: TradingParams,
  fundingAt: ReadonlyMap<number, FundingRate> | null,
): Replay {
  if (bars.length === 0 || bars.length !== predictions.openTime.length) {
    throw new Error(`replayCombination: ${bars.length} bars but ${predictions.openTime.length} stored predictions`);
  }
  let state = initialState(params, bars[0]!.openTime);
  const trades: Trade[] = [];
  const equity: EquityPoint[] = [{ openTime: bars[0]!.openTime, equity: state.lastEquity }];
  const last = bars.length - 1;
  for (let i = 0; i <= last; i++) {
    const bar = bars[i]!;
    if (bar.openTime !== predictions.openTime[i]) throw new Error(`replayCombination: prediction ${i} is for ${predictions.openTime[i]}, bar ${bar.openTime}`);
    const step = processBar(state, {
      bar,
      prediction: predictions.prediction[i]!,
      modelVersion: predictions.modelVersion[i]!,
      funding: fundingAt?.get(bar.openTime) ?? null,
      last: i === last,
      params,
    });
    state = step.state;
    for (const t of step.trades) trades.push(t);
    equity.push(step.equity);
  }
  return { trades, equity };
}
