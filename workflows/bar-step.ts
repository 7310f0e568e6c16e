/**
 * The decision path for one closed bar, shared by the backtest (in bulk, activities/backtest-activities.ts
 * simulateChunk) and the live bot (in its workflow):
 * simulated fills at the bar's open and protective exits inside it, then the decision at its close.
 * Backtest and live cannot drift apart because both call this function (see test/backtest/parity.test.ts).
 */
import { BAR_MS, type Bar } from '../domain/bars';
import { lastStep, stepBar, type StepResult, type TraderState, type TradingParams } from '../domain/trading';
import type { EquityRow } from '../contracts/backtest';

export interface BarStepInput {
  readonly bar: Bar;
  /** The model's forward-return prediction at this bar's close; null when no model could predict. */
  readonly prediction: number | null;
  readonly modelVersion: string | null;
  /** The last bar of a backtest decides nothing: an open position closes at its close (end_of_test). */
  readonly last: boolean;
  readonly params: TradingParams;
}

export interface BarStepResult extends StepResult {
  /** Equity at this bar's close, stamped with the close time (the next minute's open time). */
  readonly equity: EquityRow;
}

export function processBar(state: TraderState, input: BarStepInput): BarStepResult {
  const step = input.last
    ? lastStep(state, input.bar, input.params)
    : stepBar(state, { bar: input.bar, prediction: input.prediction, modelVersion: input.modelVersion }, input.params);
  return {
    ...step,
    equity: { openTime: input.bar.openTime + BAR_MS, equity: step.state.lastEquity },
  };
}
