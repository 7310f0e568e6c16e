/**
 * The training contract, shared by live retraining (TrainChampionWorkflow, RetrainWorkflow), backtests and
 * `npm run train`: what a training needs and what it returns to a workflow (references and small metrics only).
 */
import type { StoredTradingParams } from '../domain/trading';

/**
 * Where a backtest's bars come from; activities resolve it, the workflow only passes it along.
 * The series is the bars opening in [from, to): its first bar starts the features' history (EMA seeds), so the
 * same reference always yields the same features. A file is pinned by its SHA-256 so it cannot change under a run.
 */
export type DataRef =
  | { readonly kind: 'file'; readonly path: string; readonly sha256: string; readonly from: number; readonly to: number }
  /**
   * The `bars` rows of (market, symbol); without `market`, the bot's market (LIVE_MARKET, what live training uses).
   * A backtest pins the rows by `sha256` (activities/series-digest.ts), as a file is pinned: stored bars replaced
   * during the run fail it. Live training reads the rows as stored (no `sha256`).
   */
  | { readonly kind: 'db'; readonly market?: string; readonly symbol: string; readonly from: number; readonly to: number; readonly sha256?: string };

export type LightgbmParamValue = string | number | boolean;

/** Everything a training needs besides the training end time. */
export interface TrainingSpec {
  readonly symbol: string;
  readonly data: DataRef;
  readonly windowMinutes: number;
  readonly horizon: number;
  readonly validationFraction: number;
  readonly lightgbm: Readonly<Record<string, LightgbmParamValue>>;
  /** Trading rules used to compute the validation Sharpe of the model. */
  readonly trading: StoredTradingParams;
  readonly purpose: 'live' | 'backtest';
}

export interface TrainModelInput extends TrainingSpec {
  /** T: the model learns from rows opening in [T - window, T) whose target closed by T. */
  readonly trainEnd: number;
}

export interface ModelValidation {
  readonly rmse: number;
  readonly directionalAccuracy: number;
  readonly ic: number;
  /** Sharpe of the trading rules on the validation bars with this model's predictions. */
  readonly sharpe: number;
  /** RMSE of always predicting 0, the baseline a model must beat. */
  readonly baselineRmse: number;
  readonly bestIteration: number;
  readonly nTrain: number;
  readonly nValid: number;
}

/** What a training returns to a workflow: the version (a reference) and small metrics, never the model text. */
export interface TrainedModel {
  readonly version: string;
  readonly trainStart: number;
  readonly trainEnd: number;
  readonly validation: ModelValidation;
  /** True when the registry already held this version (a retried or repeated training). */
  readonly reused: boolean;
  readonly trainMs: number;
}

/** TrainChampionWorkflow's id: one first champion per symbol and newest stored bar (a repeated start joins it). */
export function trainChampionWorkflowId(symbol: string, lastStoredOpenTime: number): string {
  return `train-champion-${symbol}-${lastStoredOpenTime}`;
}
