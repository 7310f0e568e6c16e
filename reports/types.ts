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
  /** Data of the interactive (ECharts) charts; omitted: the page has only the tables. */
  readonly charts?: ChartInputs;
}

/** One walk-forward model's validation metrics, for the model-quality-over-time chart. */
export interface ModelQuality {
  readonly version: string;
  /** Unix milliseconds UTC (T_k). */
  readonly trainedAt: number;
  readonly ic: number;
  readonly rmse: number;
  /** RMSE of always predicting 0 on the same validation rows. */
  readonly baselineRmse: number;
  readonly bestIteration: number;
}

/** What the interactive charts of report.html are built from (report-charts.ts). */
export interface ChartInputs {
  /** The test bars, in time order. */
  readonly bars: readonly {
    readonly openTime: number;
    readonly open: number;
    readonly high: number;
    readonly low: number;
    readonly close: number;
  }[];
  /** The stored prediction of every test bar (parallel arrays, time order). */
  readonly predictions: { readonly openTime: readonly number[]; readonly prediction: readonly number[] };
  readonly modelQuality: readonly ModelQuality[];
  /** Per model, feature name -> LightGBM gain (LGBM_BoosterFeatureImportance); empty when none is known. */
  readonly featureImportance: readonly Readonly<Record<string, number>>[];
}
