/**
 * The contract between the backtest workflows and their activities: plain, JSON-serialisable data only, and none
 * of it grows with the length of a run. Bars, predictions, trades and equity stay in files and PostgreSQL behind
 * references (a data reference, a run id, segment numbers); workflows carry the trader state, counters and
 * per-chunk totals.
 */
import type { EquityPoint, TraderState, StoredTradingParams } from '../domain/trading';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DataRef, TrainingSpec } from './training';

/**
 * Where a backtest's funding rates come from, passed by reference like the bars: a `funding_time,funding_rate
 * [,mark_price]` file pinned by its SHA-256, or the `funding_rates` rows of (market, symbol) with a funding time in
 * [from, to) (the test period), pinned by the SHA-256 of their values (activities/series-digest.ts). `entries` is the
 * number of rates in the file or of rows in the range.
 */
export type FundingRef =
  | { readonly kind: 'file'; readonly path: string; readonly sha256: string; readonly entries: number }
  | {
      readonly kind: 'db';
      readonly market: string;
      readonly symbol: string;
      readonly from: number;
      readonly to: number;
      readonly sha256: string;
      readonly entries: number;
    };

export interface BacktestRequest {
  readonly runId: string;
  readonly symbol: string;
  readonly data: DataRef;
  /** The funding series; null or absent (requests of runs started before funding existed): no funding is applied. */
  readonly funding?: FundingRef | null;
  /** S: first bar used; the test starts at T0 = start + trainHours. */
  readonly start: number;
  readonly trainHours: number;
  readonly testHours: number;
  readonly retrainMinutes: number;
  readonly training: Omit<TrainingSpec, 'symbol' | 'data' | 'trading' | 'purpose'>;
  readonly trading: StoredTradingParams;
  /** Folder the result files are written to. */
  readonly outDir: string;
  /** Drift and performance monitoring the live bot would apply, reported per segment in summary.json. */
  readonly monitoring: { readonly psiWindowBars: number; readonly psiThreshold: number; readonly sharpeWindowBars: number; readonly sharpeThreshold: number };
  /**
   * Trainings a chunk keeps requested at once (they are independent); the training fleet's slots decide how many
   * actually run. Enough to keep every slot of every training host busy.
   */
  readonly parallelTrainings: number;
  /**
   * Consecutive segments one training activity handles (each model still registered on its own): fewer, larger
   * tasks for Temporal when each training is short.
   */
  readonly segmentsPerActivity: number;
  /** Segments per child workflow (0: chosen from the run's length, so neither a chunk nor the parent grows). */
  readonly chunkSegments: number;
  /** The full configuration, recorded in summary.json. */
  readonly config: unknown;
}

/** What a training child needs: one span of segments [fromSeq, toSeq) of a run. */
export interface TrainChunkInput {
  readonly runId: string;
  readonly chunk: number;
  readonly symbol: string;
  readonly data: DataRef;
  readonly training: BacktestRequest['training'];
  readonly trading: StoredTradingParams;
  readonly t0: number;
  readonly testTo: number;
  readonly retrainMinutes: number;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly psiWindowBars: number;
  readonly parallelTrainings: number;
  readonly segmentsPerActivity: number;
  /** The parent to tell about finished models (progress), or null. */
  readonly parentWorkflowId: string | null;
}

/** One segment's training, as the activity reports it (its model, predictions and drift are stored). */
export interface SegmentTrained {
  readonly seq: number;
  readonly version: string;
  readonly reused: boolean;
  readonly timings: SegmentTimings;
}

export interface SegmentTimings {
  /** LightGBM training (0 when the model came from the registry). */
  readonly trainMs: number;
  /** Training set, validation metrics, PSI reference, serialisation and the segment's prediction. */
  readonly prepareMs: number;
  /** Registry lookup, model insert and predictions insert. */
  readonly dbMs: number;
}

/** Totals of a chunk's trainings. */
export interface ChunkTrained {
  readonly chunk: number;
  readonly models: number;
  readonly reused: number;
  readonly timings: SegmentTimings;
}

export interface SimulateChunkInput {
  readonly runId: string;
  readonly symbol: string;
  readonly data: DataRef;
  /** The run's funding series (each bar pays the rate of the minute it opens in); null or absent: none. */
  readonly funding?: FundingRef | null;
  readonly trading: StoredTradingParams;
  readonly fromSeq: number;
  readonly toSeq: number;
  /** The trader as the previous chunk left it. */
  readonly state: TraderState;
  /** Trades of the run before this chunk (the first new trade's `seq`). */
  readonly tradesBefore: number;
  /** The run's last chunk: its last bar closes an open position (end_of_test). */
  readonly last: boolean;
}

export interface SimulateChunkResult {
  readonly state: TraderState;
  readonly bars: number;
  readonly trades: number;
  readonly simulateMs: number;
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
  readonly timings: BacktestTimings;
  readonly models: number;
  readonly reused: number;
}

/** Summed over the run's activities (ms). */
export interface BacktestTimings extends SegmentTimings {
  readonly simulateMs: number;
}

export interface BacktestSummary {
  readonly runId: string;
  readonly outDir: string;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly files: readonly string[];
}

export type BacktestPhase = 'preparing' | 'training' | 'trading' | 'writing' | 'completed' | 'failed' | 'cancelled';

export interface BacktestProgress {
  readonly phase: BacktestPhase;
  readonly modelsTrained: number;
  readonly modelsTotal: number;
  readonly barsDone: number;
  readonly barsTotal: number;
  readonly trades: number;
  readonly equity: number;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  /** Since the workflow started (workflow time of the last progress). */
  readonly elapsedMs: number;
  /** Estimated time to completion from the pace so far; null before the first model. */
  readonly etaMs: number | null;
}

// ---- workflow messages ----------------------------------------------------------------------------------

export const backtestProgressQuery = defineQuery<BacktestProgress>('progress');
/** From a training child: how many of its chunk's models are done (progress only; the child's result is the account). */
export const chunkProgressSignal = defineSignal<[{ chunk: number; models: number }]>('chunkProgress');
