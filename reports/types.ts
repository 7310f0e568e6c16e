/**
 * Input shapes of the report renderers. They are structural on purpose: the trading engine's Trade record
 * and equity samples satisfy them without importing anything from here.
 */

import { EXIT_REASONS, SIDES, type ExitReason, type Side } from '../domain/trading/state';

export { EXIT_REASONS, SIDES, type ExitReason, type Side };

/**
 * One closed trade. Times are Unix milliseconds UTC; prices are fill prices; `fees` covers both fills; `funding` is
 * the funding paid over the trade's life (positive = paid); `netPnl` = price PnL - fees - funding.
 */
export interface TradeRow {
  readonly side: Side;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly exitTime: number;
  readonly exitPrice: number;
  readonly qty: number;
  readonly fees: number;
  readonly funding: number;
  readonly netPnl: number;
  readonly exitReason: ExitReason;
  readonly modelVersion: string;
}

/** One sample of the equity curve (Unix milliseconds UTC). */
export interface EquityPoint {
  readonly openTime: number;
  readonly equity: number;
}

/** Metrics keyed by their summary.json names (net_pnl, total_return, ...); null = not measurable (e.g. calmar without a drawdown). */
export type Metrics = Readonly<Record<string, number | null>>;

/** A model version used in the run, with the metrics of its validation split. */
export interface ModelSummary {
  readonly version: string;
  /** Unix milliseconds UTC. */
  readonly trainedAt: number;
  readonly metrics: Metrics;
}

/** A closed time interval in Unix milliseconds UTC. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export interface ReportInput {
  readonly title: string;
  readonly runId: string;
  readonly symbol: string;
  readonly dataRange: TimeRange;
  readonly testRange: TimeRange;
  readonly metrics: Metrics;
  readonly equity: readonly EquityPoint[];
  readonly trades: readonly TradeRow[];
  readonly models: readonly ModelSummary[];
  /** Where the run's funding rates came from (e.g. "file x.funding.csv, 93 rates"), or "none"; omitted: not shown. */
  readonly fundingSource?: string;
  /** Free text shown in the footer, e.g. the command and the time the caller ran it (kept out of the renderer for determinism). */
  readonly generatedBy?: string;
}
