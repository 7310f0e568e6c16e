/**
 * PostgreSQL schema (drizzle-orm, pg-core). Conventions:
 * - every time is a Unix millisecond UTC stored as `bigint` and read as a JS number (safe up to year 287,396);
 * - every price, quantity and metric is `double precision` (the code computes in float64; no decimal round trips);
 * - structured blobs are `jsonb`;
 * - tables written by Temporal activities have natural primary keys, so a retried activity upserts
 *   the same row instead of adding one (Temporal's history is the record; these tables are projections).
 * Migrations are generated from this file: `npx drizzle-kit generate --name <change>` (see drizzle.config.ts).
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, doublePrecision, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { ValidationMetrics } from '../model/metrics';
import type { FeatureReference } from '../model/psi';
import { TRADING_MODES, type TradingMode } from '../domain/trading-mode';
import { EXIT_REASONS, SIDES, type ExitReason } from '../domain/trading/state';
import { ORDER_SIDES } from '../domain/trading/pricing';

/** A JSON value as stored in a jsonb column. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** Unix ms UTC, read back as a JS number. */
const unixMs = (name: string) => bigint(name, { mode: 'number' });
/** Database-side "now" in Unix ms, for rows whose writer does not pass a time. */
const nowMs = sql`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

// ---- enums: closed sets that the code switches on --------------------------------------------------------

export const modelStatus = pgEnum('model_status', ['candidate', 'shadow', 'champion', 'rejected', 'retired']);
/** `live` models serve the bot; `backtest` models are trained inside a backtest replay and never served. */
export const modelPurpose = pgEnum('model_purpose', ['live', 'backtest']);
export const tradingMode = pgEnum('trading_mode', TRADING_MODES);
export const predictionRole = pgEnum('prediction_role', ['champion', 'challenger', 'backtest']);
export const positionSide = pgEnum('position_side', SIDES);
export const retrainReason = pgEnum('retrain_reason', ['scheduled', 'drift', 'performance', 'manual', 'backtest']);
export const retrainOutcome = pgEnum('retrain_outcome', ['running', 'promoted', 'rejected', 'failed', 'gated']);
export const backtestStatus = pgEnum('backtest_status', ['running', 'completed', 'failed', 'cancelled']);

export type ModelStatus = (typeof modelStatus.enumValues)[number];
export type ModelPurpose = (typeof modelPurpose.enumValues)[number];
export type { TradingMode };
export type PredictionRole = (typeof predictionRole.enumValues)[number];
export type { Side as PositionSide } from '../domain/trading/state';
export type RetrainReason = (typeof retrainReason.enumValues)[number];
export type RetrainOutcome = (typeof retrainOutcome.enumValues)[number];
export type BacktestStatus = (typeof backtestStatus.enumValues)[number];

/**
 * Exit reasons of strategy.md. Kept as text (typed in TS) rather than a PostgreSQL enum so that adding a reason
 * needs no enum migration; the same holds for decision actions and order statuses, whose sets belong to the
 * trading and exchange code.
 */
export { EXIT_REASONS, type ExitReason };

// ---- jsonb shapes ---------------------------------------------------------------------------------------

/**
 * Metrics of one trained model: features.md's validation metrics (model/metrics.ts) plus training facts.
 * Extra keys are allowed so the training code can add measurements without a migration.
 */
export interface ModelMetrics extends ValidationMetrics {
  readonly validSharpe?: number;
  readonly bestIteration: number;
  readonly nTrain: number;
  readonly nValid: number;
  /** Wall-clock durations in ms, e.g. { features: 40, train: 900 }. */
  readonly timingsMs?: { readonly [step: string]: number };
  readonly [extra: string]: JsonValue | undefined;
}

// ---- market data ----------------------------------------------------------------------------------------

/**
 * Closed 1-minute klines, one row per (market, symbol, minute). The market (domain/markets.ts, e.g. `binance-usdm`,
 * `binanceus-spot`) keeps series of the same symbol on different venues apart: they never mix or conflict.
 */
export const bars = pgTable(
  'bars',
  {
    market: text('market').notNull(),
    symbol: text('symbol').notNull(),
    openTime: unixMs('open_time').notNull(),
    open: doublePrecision('open').notNull(),
    high: doublePrecision('high').notNull(),
    low: doublePrecision('low').notNull(),
    close: doublePrecision('close').notNull(),
    volume: doublePrecision('volume').notNull(),
    /** Where the bar came from, e.g. `file:btcusdt-1m.csv.gz`, `binance-ws`, `binance-rest`, `binance-download`. */
    source: text('source').notNull(),
  },
  (t) => [
    primaryKey({ name: 'bars_pk', columns: [t.market, t.symbol, t.openTime] }),
    // The same invariants the CSV import checks (domain/bar-csv.ts), so no writer can store a malformed bar.
    check('bars_minute_aligned', sql`${t.openTime} % 60000 = 0`),
    check('bars_ohlc_consistent', sql`${t.high} >= greatest(${t.open}, ${t.close}) and ${t.low} <= least(${t.open}, ${t.close})`),
    check('bars_volume_non_negative', sql`${t.volume} >= 0`),
    check('bars_market_id', sql`${t.market} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
  ],
);

/**
 * Settled funding rates of a perpetual (strategy.md "Funding"), one row per (market, symbol, funding time). The time
 * is the exchange's as given (Binance's can carry a few ms past the hour; readers floor it to the minute).
 */
export const fundingRates = pgTable(
  'funding_rates',
  {
    market: text('market').notNull(),
    symbol: text('symbol').notNull(),
    fundingTime: unixMs('funding_time').notNull(),
    /** A fraction: 0.0001 = 0.01 %; positive = longs pay shorts. */
    rate: doublePrecision('rate').notNull(),
    /** The mark price at the funding time when the exchange gives one; null otherwise. */
    markPrice: doublePrecision('mark_price'),
    source: text('source').notNull(),
  },
  (t) => [
    primaryKey({ name: 'funding_rates_pk', columns: [t.market, t.symbol, t.fundingTime] }),
    check('funding_rates_mark_price_positive', sql`${t.markPrice} is null or ${t.markPrice} > 0`),
    check('funding_rates_market_id', sql`${t.market} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
  ],
);

// ---- model registry -------------------------------------------------------------------------------------

export const models = pgTable(
  'models',
  {
    /** Deterministic: `${symbol}-${trainEnd yyyymmddThhmm}-${hash of params + window}` (see repositories/models.ts). */
    version: text('version').primaryKey(),
    symbol: text('symbol').notNull(),
    createdAt: unixMs('created_at').notNull().default(nowMs),
    /** Training rows are the bars opening in [train_start, train_end). */
    trainStart: unixMs('train_start').notNull(),
    trainEnd: unixMs('train_end').notNull(),
    /** Prediction horizon H in minutes. */
    horizon: integer('horizon').notNull(),
    params: jsonb('params').$type<JsonObject>().notNull(),
    metrics: jsonb('metrics').$type<ModelMetrics>().notNull(),
    /** PSI reference of every feature on the training rows (model/psi.ts; validate with featureReferenceSchema). */
    featureReference: jsonb('feature_reference').$type<FeatureReference>().notNull(),
    /** Feature name -> importance (gain). */
    featureImportance: jsonb('feature_importance').$type<{ readonly [feature: string]: number }>().notNull(),
    /** LightGBM model file text; enough to load the booster anywhere. */
    modelText: text('model_text').notNull(),
    status: modelStatus('status').notNull().default('candidate'),
    statusChangedAt: unixMs('status_changed_at').notNull().default(nowMs),
    purpose: modelPurpose('purpose').notNull().default('live'),
  },
  (t) => [
    index('models_symbol_status_idx').on(t.symbol, t.status),
    index('models_symbol_train_end_idx').on(t.symbol, t.trainEnd),
    // The bot serves exactly one champion per symbol; promotion swaps it inside one transaction.
    uniqueIndex('models_one_champion_per_symbol')
      .on(t.symbol)
      .where(sql`status = 'champion' and purpose = 'live'`),
    check('models_train_window', sql`${t.trainStart} < ${t.trainEnd}`),
    check('models_horizon_positive', sql`${t.horizon} > 0`),
  ],
);

// ---- live / paper trading projections -------------------------------------------------------------------

export const predictions = pgTable(
  'predictions',
  {
    symbol: text('symbol').notNull(),
    /** Open time of the bar at whose close the prediction was made. */
    openTime: unixMs('open_time').notNull(),
    modelVersion: text('model_version').notNull(),
    role: predictionRole('role').notNull(),
    prediction: doublePrecision('prediction').notNull(),
    createdAt: unixMs('created_at').notNull().default(nowMs),
  },
  (t) => [
    primaryKey({ name: 'predictions_pk', columns: [t.symbol, t.openTime, t.modelVersion, t.role] }),
    // Scoring a challenger reads one model's predictions over a time range.
    index('predictions_model_time_idx').on(t.modelVersion, t.openTime),
  ],
);

/** The bot's decision at every bar close. */
export const decisions = pgTable(
  'decisions',
  {
    symbol: text('symbol').notNull(),
    mode: tradingMode('mode').notNull(),
    openTime: unixMs('open_time').notNull(),
    /** Null while no model is available (warm-up). */
    modelVersion: text('model_version'),
    prediction: doublePrecision('prediction'),
    /** DecisionAction and DecisionReason of domain/trading/decision-record.ts (the trading code owns the sets). */
    action: text('action').notNull(),
    reason: text('reason').notNull(),
    /** Newer bars already stored when this one was decided (reason stale_bar when the bot's limit was reached). */
    barsBehind: integer('bars_behind').notNull().default(0),
    equity: doublePrecision('equity').notNull(),
  },
  (t) => [primaryKey({ name: 'decisions_pk', columns: [t.symbol, t.mode, t.openTime] })],
);

export const orders = pgTable(
  'orders',
  {
    /** Deterministic (derived from symbol, mode and decision bar), so a retried placement is recognised. */
    clientOrderId: text('client_order_id').primaryKey(),
    symbol: text('symbol').notNull(),
    mode: tradingMode('mode').notNull(),
    side: text('side', { enum: ORDER_SIDES }).notNull(),
    /** e.g. market, stop_market, take_profit_market. */
    type: text('type').notNull(),
    reduceOnly: boolean('reduce_only').notNull().default(false),
    qty: doublePrecision('qty').notNull(),
    /** e.g. new, partially_filled, filled, canceled, rejected, expired (exchange-defined). */
    status: text('status').notNull(),
    exchangeOrderId: text('exchange_order_id'),
    avgFillPrice: doublePrecision('avg_fill_price'),
    filledQty: doublePrecision('filled_qty').notNull().default(0),
    fee: doublePrecision('fee'),
    feeAsset: text('fee_asset'),
    decisionOpenTime: unixMs('decision_open_time'),
    reason: text('reason'),
    createdAt: unixMs('created_at').notNull().default(nowMs),
    updatedAt: unixMs('updated_at').notNull().default(nowMs),
    /** The exchange's last response, for audits. */
    raw: jsonb('raw').$type<JsonValue>(),
  },
  (t) => [
    index('orders_symbol_mode_created_idx').on(t.symbol, t.mode, t.createdAt),
    index('orders_exchange_order_id_idx').on(t.exchangeOrderId),
    check('orders_qty_positive', sql`${t.qty} > 0`),
    check('orders_side', sql`${t.side} in ('buy', 'sell')`),
  ],
);

/** Columns shared by live/paper round trips and backtest round trips (strategy.md, trades.csv). */
const tradeColumns = () => ({
  symbol: text('symbol').notNull(),
  side: positionSide('side').notNull(),
  entryTime: unixMs('entry_time').notNull(),
  entryPrice: doublePrecision('entry_price').notNull(),
  /** Open time of the bar in which the exit filled. */
  exitTime: unixMs('exit_time').notNull(),
  exitPrice: doublePrecision('exit_price').notNull(),
  qty: doublePrecision('qty').notNull(),
  /** Fees of both fills. */
  fees: doublePrecision('fees').notNull(),
  /** Funding paid over the position's life (strategy.md "Funding": positive = paid, negative = received). */
  funding: doublePrecision('funding').notNull().default(0),
  /** Price PnL minus fees minus funding. */
  netPnl: doublePrecision('net_pnl').notNull(),
  exitReason: text('exit_reason', { enum: EXIT_REASONS }).notNull(),
  /** The model that opened the position. */
  modelVersion: text('model_version'),
});

/** Closed round trips of the live and paper bot. */
export const trades = pgTable(
  'trades',
  {
    /** Deterministic, e.g. the entry order's client order id. */
    id: text('id').primaryKey(),
    mode: tradingMode('mode').notNull(),
    ...tradeColumns(),
  },
  (t) => [index('trades_symbol_mode_exit_idx').on(t.symbol, t.mode, t.exitTime)],
);

/** Equity at every bar close (cash plus the open position marked at the close). */
export const equitySnapshots = pgTable(
  'equity_snapshots',
  {
    symbol: text('symbol').notNull(),
    mode: tradingMode('mode').notNull(),
    openTime: unixMs('open_time').notNull(),
    equity: doublePrecision('equity').notNull(),
    cash: doublePrecision('cash').notNull(),
    /** Null when flat. */
    positionSide: positionSide('position_side'),
    positionQty: doublePrecision('position_qty').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'equity_snapshots_pk', columns: [t.symbol, t.mode, t.openTime] })],
);

/**
 * A live bot's reconciliations with the exchange that found a difference, and their resolutions (adopt, flatten):
 * both sides as read, one row per workflow, bar and kind (a retried activity leaves the same row).
 */
export const reconciliationEvents = pgTable(
  'reconciliation_events',
  {
    workflowId: text('workflow_id').notNull(),
    symbol: text('symbol').notNull(),
    mode: tradingMode('mode').notNull(),
    /** Open time of the last bar the bot had processed when it compared. */
    barTime: unixMs('bar_time').notNull(),
    /** check (a comparison), adopt or flatten (an operator's resolution). */
    kind: text('kind').notNull(),
    /** ok, explained, mismatch or unreadable (domain/trading/reconcile.ts). */
    status: text('status').notNull(),
    differences: jsonb('differences').$type<JsonValue>().notNull(),
    bot: jsonb('bot').$type<JsonValue>().notNull(),
    exchange: jsonb('exchange').$type<JsonValue>(),
    recordedAt: unixMs('recorded_at').notNull(),
  },
  (t) => [primaryKey({ name: 'reconciliation_events_pk', columns: [t.workflowId, t.barTime, t.kind] })],
);

// ---- retraining and monitoring --------------------------------------------------------------------------

export const retrainEvents = pgTable(
  'retrain_events',
  {
    /** The RetrainWorkflow's first execution run id (its workflow id, retrain-<SYMBOL>, repeats across retrains). */
    id: text('id').primaryKey(),
    symbol: text('symbol').notNull(),
    reason: retrainReason('reason').notNull(),
    /** Why it was triggered, e.g. { feature: 'std60', psi: 0.31 } or { rollingSharpe: -1.2 }. */
    detail: jsonb('detail').$type<JsonObject>(),
    startedAt: unixMs('started_at').notNull(),
    finishedAt: unixMs('finished_at'),
    outcome: retrainOutcome('outcome').notNull().default('running'),
    modelVersion: text('model_version'),
    metrics: jsonb('metrics').$type<JsonObject>(),
  },
  (t) => [index('retrain_events_symbol_started_idx').on(t.symbol, t.startedAt)],
);

/** PSI of one feature of the live inputs against a model's training reference, per bar. */
export const driftMeasurements = pgTable(
  'drift_measurements',
  {
    symbol: text('symbol').notNull(),
    openTime: unixMs('open_time').notNull(),
    modelVersion: text('model_version').notNull(),
    feature: text('feature').notNull(),
    psi: doublePrecision('psi').notNull(),
  },
  (t) => [primaryKey({ name: 'drift_measurements_pk', columns: [t.symbol, t.openTime, t.modelVersion, t.feature] })],
);

/**
 * Scalar performance monitors of a model per bar (e.g. `rolling_sharpe`, `rolling_ic`, `rolling_directional_accuracy`),
 * kept apart from drift_measurements because they are computed from realised returns, not from feature inputs.
 */
export const performanceMeasurements = pgTable(
  'performance_measurements',
  {
    symbol: text('symbol').notNull(),
    openTime: unixMs('open_time').notNull(),
    modelVersion: text('model_version').notNull(),
    metric: text('metric').notNull(),
    value: doublePrecision('value').notNull(),
    /** Number of bars the metric was computed over. */
    windowBars: integer('window_bars').notNull(),
  },
  (t) => [primaryKey({ name: 'performance_measurements_pk', columns: [t.symbol, t.openTime, t.modelVersion, t.metric] })],
);

// ---- backtests ------------------------------------------------------------------------------------------

export const backtestRuns = pgTable(
  'backtest_runs',
  {
    runId: text('run_id').primaryKey(),
    symbol: text('symbol').notNull(),
    status: backtestStatus('status').notNull().default('running'),
    startedAt: unixMs('started_at').notNull(),
    finishedAt: unixMs('finished_at'),
    config: jsonb('config').$type<JsonObject>().notNull(),
    /** The dataset the run replayed: a file path, or `db:bars/<market>/<symbol>` (--db). */
    dataRef: text('data_ref').notNull(),
    /** e.g. { from, to, bars } of the test period. */
    dataRange: jsonb('data_range').$type<JsonObject>(),
    /** summary.json of strategy.md. */
    summary: jsonb('summary').$type<JsonObject>(),
    error: text('error'),
    /** The Temporal workflow (and its first run) that owns this row: a second workflow with the same run id is refused. */
    workflowId: text('workflow_id'),
    workflowRunId: text('workflow_run_id'),
    /** The result folder (backtests/<run>/ unless --out), removed with the run by `npm run backtest -- delete`. */
    outDir: text('out_dir'),
  },
  (t) => [index('backtest_runs_symbol_started_idx').on(t.symbol, t.startedAt)],
);

/** One walk-forward segment of a run: the model trained at `train_end` predicts the bars opening in [train_end, segment_to). */
export const backtestSegments = pgTable(
  'backtest_segments',
  {
    runId: text('run_id')
      .notNull()
      .references(() => backtestRuns.runId, { onDelete: 'cascade' }),
    /** k of T_k = T0 + k x retrain. */
    seq: integer('seq').notNull(),
    trainEnd: unixMs('train_end').notNull(),
    segmentTo: unixMs('segment_to').notNull(),
    modelVersion: text('model_version').notNull(),
    /** The model's validation metrics (TrainedModel.validation). */
    validation: jsonb('validation').$type<JsonObject>().notNull(),
    /** True when the registry already held the model (nothing was trained for this segment). */
    reused: boolean('reused').notNull(),
    /** { train_ms, prepare_ms, db_ms } of the activity. */
    timings: jsonb('timings').$type<JsonObject>().notNull(),
    /** The live bot's drift monitor at the segment's end: the feature with the largest PSI. */
    maxPsiFeature: text('max_psi_feature').notNull(),
    maxPsi: doublePrecision('max_psi').notNull(),
  },
  (t) => [primaryKey({ name: 'backtest_segments_pk', columns: [t.runId, t.seq] })],
);

/** A run's equity curve: the starting capital at T0, then one point per test bar close. */
export const backtestEquity = pgTable(
  'backtest_equity',
  {
    runId: text('run_id')
      .notNull()
      .references(() => backtestRuns.runId, { onDelete: 'cascade' }),
    openTime: unixMs('open_time').notNull(),
    equity: doublePrecision('equity').notNull(),
  },
  (t) => [primaryKey({ name: 'backtest_equity_pk', columns: [t.runId, t.openTime] })],
);

export const backtestTrades = pgTable(
  'backtest_trades',
  {
    runId: text('run_id')
      .notNull()
      .references(() => backtestRuns.runId, { onDelete: 'cascade' }),
    /** 0-based position of the trade in the run, in exit order. */
    seq: integer('seq').notNull(),
    ...tradeColumns(),
  },
  (t) => [primaryKey({ name: 'backtest_trades_pk', columns: [t.runId, t.seq] })],
);

// ---- row types ------------------------------------------------------------------------------------------

export type BarRow = typeof bars.$inferSelect;
export type NewBarRow = typeof bars.$inferInsert;
export type FundingRateRow = typeof fundingRates.$inferSelect;
export type NewFundingRateRow = typeof fundingRates.$inferInsert;
export type ModelRow = typeof models.$inferSelect;
export type NewModelRow = typeof models.$inferInsert;
export type PredictionRow = typeof predictions.$inferSelect;
export type NewPredictionRow = typeof predictions.$inferInsert;
export type DecisionRow = typeof decisions.$inferSelect;
export type NewDecisionRow = typeof decisions.$inferInsert;
export type OrderRow = typeof orders.$inferSelect;
export type NewOrderRow = typeof orders.$inferInsert;
export type TradeRow = typeof trades.$inferSelect;
export type NewTradeRow = typeof trades.$inferInsert;
export type EquitySnapshotRow = typeof equitySnapshots.$inferSelect;
export type NewEquitySnapshotRow = typeof equitySnapshots.$inferInsert;
export type RetrainEventRow = typeof retrainEvents.$inferSelect;
export type NewRetrainEventRow = typeof retrainEvents.$inferInsert;
export type DriftMeasurementRow = typeof driftMeasurements.$inferSelect;
export type NewDriftMeasurementRow = typeof driftMeasurements.$inferInsert;
export type PerformanceMeasurementRow = typeof performanceMeasurements.$inferSelect;
export type NewPerformanceMeasurementRow = typeof performanceMeasurements.$inferInsert;
export type BacktestRunRow = typeof backtestRuns.$inferSelect;
export type NewBacktestRunRow = typeof backtestRuns.$inferInsert;
export type BacktestTradeRow = typeof backtestTrades.$inferSelect;
export type BacktestSegmentRow = typeof backtestSegments.$inferSelect;
export type NewBacktestSegmentRow = typeof backtestSegments.$inferInsert;
export type NewBacktestTradeRow = typeof backtestTrades.$inferInsert;
export type ReconciliationEventRow = typeof reconciliationEvents.$inferSelect;
export type NewReconciliationEventRow = typeof reconciliationEvents.$inferInsert;
