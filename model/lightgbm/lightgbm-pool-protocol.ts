/** Messages between model/lightgbm/lightgbm-pool.ts and its threads (structured clone; shared memory stays shared). */
import type { SeriesColumns, SharedSeries } from './series-memory';
import type { TrainWindowInput, WindowModel } from './train-window';

/** trainWindow's input without the data, which the thread takes from the shared series. */
export interface PoolTrainInput extends Omit<TrainWindowInput, 'bars' | 'features' | 'predictRows'> {
  /** Rows of the series to predict with the fresh model (a backtest segment). */
  readonly predict?: { readonly first: number; readonly count: number };
}

export type PoolTask =
  | { readonly id: number; readonly type: 'series'; readonly key: string; readonly columns: SeriesColumns }
  | { readonly id: number; readonly type: 'train'; readonly series: SharedSeries; readonly input: PoolTrainInput }
  | {
      readonly id: number;
      readonly type: 'predict';
      readonly series: SharedSeries;
      readonly version: string;
      readonly modelText: string;
      readonly first: number;
      readonly count: number;
    };

export type PoolResult =
  | { readonly type: 'series'; readonly series: SharedSeries }
  | { readonly type: 'train'; readonly model: WindowModel }
  | { readonly type: 'predict'; readonly predictions: Float64Array };

export interface PoolReply {
  readonly id: number;
  readonly result?: PoolResult;
  readonly error?: { readonly name: string; readonly message: string; readonly stack: string };
}
