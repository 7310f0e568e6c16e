/**
 * The contract of SweepWorkflow and its activities. Plain JSON, and what passes through history is bounded by the
 * number of combinations (their parameters and trading settings), never by the length of the test: per-combination
 * equity and metrics are written to files by activities and passed by reference (the sweep's folder).
 */
import { defineQuery } from '@temporalio/workflow';
import type { TradingParams } from '../domain/trading';
import type { Combination, GridAxis } from '../domain/sweep/grid';
import type { BacktestRequest, FundingRef } from './backtest';
import type { DataRef } from './training';

export const SELECT_METRICS = ['sharpe', 'sortino', 'calmar', 'net_pnl', 'profit_factor'] as const;
export type SelectMetric = (typeof SELECT_METRICS)[number];

export interface SweepCombo {
  /** Position in the sweep's combination list (its id in results.csv). */
  readonly index: number;
  readonly values: Combination;
  /** Without leverage brackets: every combination of the symbol has the same, applied by the replay activity. */
  readonly trading: TradingParams;
}

/** Combinations sharing every model-relevant setting: one walk-forward (the child backtest) for all of them. */
export interface SweepGroup {
  readonly index: number;
  readonly modelValues: Combination;
  /** The standalone backtest of the group's first combination; its models and predictions serve the whole group. */
  readonly backtest: BacktestRequest;
  readonly combos: readonly SweepCombo[];
}

export interface SweepRequest {
  readonly sweepId: string;
  readonly outDir: string;
  readonly axes: readonly GridAxis[];
  readonly search: 'grid' | 'random';
  readonly selectOn: SelectMetric;
  readonly holdoutFraction: number;
  readonly maxParallel: number;
  readonly testFrom: number;
  readonly testTo: number;
  /** Bars opening before it are in-sample, from it on held out. */
  readonly splitTime: number;
  /** The walk-forward timeline of the first group (a swept backtest.* key overrides it per combination). */
  readonly timeline: { readonly trainHours: number; readonly testHours: number; readonly retrainMinutes: number };
  readonly groups: readonly SweepGroup[];
}

export interface SimulateGroupInput {
  readonly sweepId: string;
  readonly outDir: string;
  readonly group: number;
  readonly runId: string;
  readonly symbol: string;
  readonly data: DataRef;
  readonly funding: FundingRef | null;
  readonly testFrom: number;
  readonly testTo: number;
  readonly splitTime: number;
  readonly combos: readonly SweepCombo[];
}

export interface SimulateGroupResult {
  readonly group: number;
  readonly combos: number;
  /** The group's results file, relative to the sweep's folder. */
  readonly file: string;
  readonly simulateMs: number;
}

export interface FinishSweepInput {
  readonly request: Omit<SweepRequest, 'groups'> & { readonly groups: number };
  readonly files: readonly string[];
  readonly elapsedMs: number;
  readonly models: number;
  /** Summed over the groups' replay activities (loading bars and predictions included). */
  readonly simulateMs: number;
}

export interface SweepTopRow {
  readonly rank: number;
  readonly index: number;
  readonly values: Combination;
  readonly inSample: number | null;
  readonly heldOut: number | null;
}

export interface SweepSummary {
  readonly sweepId: string;
  readonly outDir: string;
  readonly combinations: number;
  readonly top: readonly SweepTopRow[];
  readonly files: readonly string[];
}

export type SweepPhase = 'walk-forward' | 'writing' | 'completed' | 'cancelled' | 'failed';

export interface SweepProgress {
  readonly phase: SweepPhase;
  readonly combosDone: number;
  readonly combosTotal: number;
  readonly groupsDone: number;
  readonly groupsTotal: number;
  readonly elapsedMs: number;
  /** From the pace of the finished groups; null before the first. */
  readonly etaMs: number | null;
}

export const sweepProgressQuery = defineQuery<SweepProgress>('sweepProgress');

export function sweepWorkflowId(sweepId: string): string {
  return `sweep-${sweepId}`;
}
