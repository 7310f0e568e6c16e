/**
 * The contract between BacktestWorkflow and its activities: plain, JSON-serialisable data only.
 * Bulk data (the bar series, model texts) stays behind references; only the per-bar decision inputs of one
 * segment (at most `retrainMinutes` bars) pass through workflow history, exactly like the live bot's bars.
 */
import type { TradingParams } from '../domain/trading';
import type { EquityPoint, Trade } from '../domain/trading';

/**
 * Where a backtest's bars come from; activities resolve it, the workflow only passes it along.
 * The series is the bars opening in [from, to): its first bar starts the features' history (EMA seeds), so the
 * same reference always yields the same features. A file is pinned by its SHA-256 so it cannot change under a run.
 */
export type DataRef =
  | { readonly kind: 'file'; readonly path: string; readonly sha256: string; readonly from: number; readonly to: number }
  | { readonly kind: 'db'; readonly symbol: string; readonly from: number; readonly to: number };

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
  readonly trading: TradingParams;
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

export interface BacktestRequest {
  readonly runId: string;
  readonly symbol: string;
  readonly data: DataRef;
  /** S: first bar used; the test starts at T0 = start + trainHours. */
  readonly start: number;
  readonly trainHours: number;
  readonly testHours: number;
  readonly retrainMinutes: number;
  readonly training: Omit<TrainingSpec, 'symbol' | 'data' | 'trading' | 'purpose'>;
  readonly trading: TradingParams;
  /** Folder the result files are written to. */
  readonly outDir: string;
  /** Drift and performance monitoring the live bot would apply, reported per segment in summary.json. */
  readonly monitoring: { readonly psiWindowBars: number; readonly psiThreshold: number; readonly sharpeWindowBars: number; readonly sharpeThreshold: number };
  /** Trainings requested ahead of the segment being traded (independent, so they may run in parallel); 0 = one at a time. */
  readonly trainingLookahead: number;
  /** The full configuration, recorded in summary.json. */
  readonly config: unknown;
}

/** Bars of one test segment, columnar to keep history small, with the segment model's predictions. */
export interface SegmentInputs {
  readonly openTime: readonly number[];
  readonly open: readonly number[];
  readonly high: readonly number[];
  readonly low: readonly number[];
  readonly close: readonly number[];
  readonly volume: readonly number[];
  readonly prediction: readonly number[];
  /** Where the activity's time went (ms), for the benchmark. */
  readonly timings: SegmentTimings;
}

export interface SegmentTimings {
  /** LightGBM training (0 when the model came from the registry). */
  readonly trainMs: number;
  /** Training set, validation metrics, PSI reference, serialisation and the segment's prediction. */
  readonly prepareMs: number;
  /** Registry lookup, model insert and predictions upsert. */
  readonly dbMs: number;
}

/** One row of equity.csv (the engine's equity point). */
export type EquityRow = EquityPoint;

export interface PrepareBacktestResult {
  readonly testFrom: number;
  readonly testTo: number;
  readonly dataFrom: number;
  readonly dataTo: number;
  readonly bars: number;
}

export interface FinishBacktestInput {
  readonly request: BacktestRequest;
  readonly prepared: PrepareBacktestResult;
  readonly trades: readonly Trade[];
  readonly equity: readonly EquityRow[];
  /** The prediction of every test bar, in order (for model quality on the traded period). */
  readonly predictions: readonly number[];
  readonly models: readonly TrainedModel[];
  /** Per segment: the live bot's drift and rolling-Sharpe measurements at its end, and whether they would trigger. */
  readonly monitoring: readonly SegmentMonitoring[];
  readonly timings: BacktestTimings;
}

export interface SegmentMonitoring {
  readonly from: number;
  readonly modelVersion: string;
  readonly maxPsi: { readonly feature: string; readonly psi: number };
  readonly rollingSharpe: number | null;
  readonly wouldTrigger: 'drift' | 'performance' | null;
}

/** Summed over the run's activities (ms). */
export type BacktestTimings = SegmentTimings;

export interface BacktestSummary {
  readonly runId: string;
  readonly outDir: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly files: readonly string[];
}

export type BacktestPhase = 'preparing' | 'training' | 'trading' | 'writing' | 'completed' | 'failed';

export interface BacktestProgress {
  readonly phase: BacktestPhase;
  readonly modelsTrained: number;
  readonly modelsTotal: number;
  readonly barsDone: number;
  readonly barsTotal: number;
  readonly trades: number;
  readonly equity: number;
}
