/**
 * The training activities, shared by backtests and the live retraining: train on the window ending at T, register
 * the model with its metrics and PSI reference, and return only its version and metrics. LightGBM, the training
 * set and the feature matrix run on the worker's thread pool (model/lightgbm/lightgbm-pool.ts), never on its event loop, so one
 * process trains as many models at once as it has slots while heartbeats, workflow tasks and queries keep moving.
 *
 * A model's version pins the content of the bars it learned from (a chained hash of the rows before T), so a
 * repeated or resumed run finds its models in the registry instead of training them again, and replaced bars
 * never serve a stale model.
 */
import { readTradingParams } from '../domain/trading';
import { Context } from '@temporalio/activity';
import { N_FEATURES } from '../model/features';
import { featureReferenceSchema, maxPsi, psiAll } from '../model/psi';
import type { Database } from '../db/client';
import { countBacktestPredictions, insertBacktestPredictions, upsertSegment } from '../db/repositories/backtest-results';
import { getModel, insertModel, modelVersion } from '../db/repositories/models';
import type { ModelRow } from '../db/schema';
import { rowsHash } from '../model/lightgbm/series-memory';
import type { TrainingPool } from '../model/lightgbm/lightgbm-pool';
import type { SegmentTrained } from '../contracts/backtest';
import type { TrainedModel, TrainModelInput } from '../contracts/training';
import { BadInputError, failFastOnBadInput } from './activity-errors';
import { featureSeriesOf, iso, type FeatureSeries } from './bar-series';

export interface TrainingActivityDeps {
  readonly db: Database;
  /** The threads that run LightGBM (the worker owns and closes them). */
  readonly pool: TrainingPool;
}

/** Segment k of a run: the model trained at T_k = trainEnd predicts the bars opening in [trainEnd, segmentTo). */
export interface SegmentRef {
  readonly seq: number;
  readonly trainEnd: number;
  readonly segmentTo: number;
}

/**
 * A few consecutive segments of a run in one activity: each model is still trained, registered and recorded on
 * its own (a retry after a crash finds the finished ones in the registry), but Temporal handles one task instead
 * of several, which on a small window costs as much CPU as the training itself.
 */
export interface TrainSegmentsInput extends Omit<TrainModelInput, 'trainEnd'> {
  readonly runId: string;
  readonly segments: readonly SegmentRef[];
  /** Bars ending at the segment's end whose feature distribution is compared with the model's (PSI). */
  readonly psiWindowBars: number;
}

const HEARTBEAT_MS = 2_000;

function versionOf(input: TrainModelInput, rows: string): string {
  return modelVersion({
    symbol: input.symbol,
    trainStart: input.trainEnd - input.windowMinutes * 60_000,
    trainEnd: input.trainEnd,
    horizon: input.horizon,
    params: { lightgbm: { ...input.lightgbm }, validationFraction: input.validationFraction, data: { from: input.data.from, rows }, purpose: input.purpose },
  });
}

function summaryOf(row: Pick<ModelRow, 'version' | 'trainStart' | 'trainEnd' | 'metrics'>, reused: boolean, trainMs: number): TrainedModel {
  const m = row.metrics;
  return {
    version: row.version,
    trainStart: row.trainStart,
    trainEnd: row.trainEnd,
    reused,
    trainMs,
    validation: {
      rmse: m.rmse,
      directionalAccuracy: m.directionalAccuracy,
      ic: m.ic,
      sharpe: m.validSharpe ?? 0,
      baselineRmse: Number(m.baselineRmse ?? 0),
      bestIteration: m.bestIteration,
      nTrain: m.nTrain,
      nValid: m.nValid,
    },
  };
}

function rowsOf(series: FeatureSeries, from: number, to: number): { first: number; count: number } {
  const first = series.indexOf(from);
  const count = (to - from) / 60_000;
  if (first < 0 || !Number.isInteger(count) || count <= 0 || first + count > series.bars.length) {
    throw new BadInputError(`Segment ${iso(from)} .. ${iso(to)} lies outside the data`);
  }
  return { first, count };
}

/** The rows a model trained at T learned from are the bars before T (features start at the series' first bar). */
function rowsBefore(series: FeatureSeries, trainEnd: number): string {
  const end = trainEnd === series.bars[0]!.openTime + series.bars.length * 60_000 ? series.bars.length : series.indexOf(trainEnd);
  if (end <= 0) throw new BadInputError(`Training end ${iso(trainEnd)} lies outside the data`);
  return rowsHash(series.shared, end);
}

/** Heartbeats while `work` runs, so a lost worker is noticed in seconds, however long the training. */
async function heartbeating<T>(work: Promise<T>): Promise<T> {
  const ctx = activityContext();
  if (!ctx) return work;
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function createTrainingActivities({ db, pool }: TrainingActivityDeps) {
  /** Trains (or finds in the registry: same inputs and bars, same model), predicting `predict` rows when given. */
  async function trainOrReuse(
    input: TrainModelInput,
    series: FeatureSeries,
    predict?: { first: number; count: number; stored: (version: string) => Promise<boolean> },
  ) {
    const rows = rowsBefore(series, input.trainEnd);
    const version = versionOf(input, rows);
    let t = performance.now();
    const existing = await getModel(db, version);
    let dbMs = performance.now() - t;
    if (existing) {
      t = performance.now();
      const stored = predict ? await predict.stored(version) : true;
      dbMs += performance.now() - t;
      t = performance.now();
      const predictions = predict && !stored ? await pool.predict(series.shared, version, existing.modelText, predict) : undefined;
      return {
        model: summaryOf(existing, true, 0),
        predictions,
        reference: existing.featureReference,
        timings: { trainMs: 0, prepareMs: performance.now() - t, dbMs },
      };
    }
    const trained = await pool.train(series.shared, {
      trainEnd: input.trainEnd,
      windowMs: input.windowMinutes * 60_000,
      horizon: input.horizon,
      validationFraction: input.validationFraction,
      lightgbm: input.lightgbm,
      trading: readTradingParams(input.trading),
      ...(predict ? { predict: { first: predict.first, count: predict.count } } : {}),
    });
    const row = {
      version,
      symbol: input.symbol,
      trainStart: trained.trainStart,
      trainEnd: input.trainEnd,
      horizon: input.horizon,
      params: { lightgbm: { ...input.lightgbm }, validationFraction: input.validationFraction, data: { from: input.data.from, rows } },
      metrics: { ...trained.metrics, timingsMs: { train: trained.trainMs } },
      featureReference: trained.featureReference,
      featureImportance: trained.featureImportance,
      modelText: trained.modelText,
      status: 'candidate' as const,
      purpose: input.purpose,
    };
    t = performance.now();
    await insertModel(db, row);
    dbMs += performance.now() - t;
    return {
      model: summaryOf(row, false, trained.trainMs),
      predictions: trained.predictions,
      reference: trained.featureReference,
      timings: { trainMs: trained.trainMs, prepareMs: trained.prepareMs, dbMs },
    };
  }

  /** One segment: train (or reuse) its model, store its predictions and its row. */
  async function trainSegment(input: Omit<TrainSegmentsInput, 'segments'> & SegmentRef): Promise<SegmentTrained> {
    const series = await featureSeriesOf(input.data, db, pool);
    const rows = rowsOf(series, input.trainEnd, input.segmentTo);
    // A model found in the registry may have predicted this segment before (a retry, a repeated run).
    const stored = async (version: string) => (await countBacktestPredictions(db, input.symbol, version, input.trainEnd, input.segmentTo)) === rows.count;
    const { model, predictions, reference, timings } = await trainOrReuse(input, series, { ...rows, stored });
    // Drift the live bot would have measured at the end of this segment (reported in summary.json).
    const end = rows.first + rows.count;
    const start = Math.max(0, end - input.psiWindowBars);
    const drift = maxPsi(psiAll(featureReferenceSchema.parse(reference), series.shared.features.subarray(start * N_FEATURES, end * N_FEATURES), N_FEATURES));
    const t = performance.now();
    if (predictions) {
      const openTimes = series.shared.openTime.subarray(rows.first, rows.first + rows.count);
      await insertBacktestPredictions(db, { symbol: input.symbol, modelVersion: model.version, openTimes, predictions });
    }
    const segmentTimings = { trainMs: timings.trainMs, prepareMs: timings.prepareMs, dbMs: timings.dbMs + performance.now() - t };
    const recorded = await upsertSegment(db, {
      runId: input.runId,
      seq: input.seq,
      trainEnd: input.trainEnd,
      segmentTo: input.segmentTo,
      modelVersion: model.version,
      validation: { ...model.validation, trainStart: model.trainStart },
      reused: model.reused,
      timings: { train_ms: segmentTimings.trainMs, prepare_ms: segmentTimings.prepareMs, db_ms: segmentTimings.dbMs },
      maxPsiFeature: drift.feature,
      maxPsi: drift.psi,
    });
    return { seq: input.seq, version: model.version, reused: recorded.reused, timings: segmentTimings };
  }

  return {
    async trainModel(input: TrainModelInput): Promise<TrainedModel> {
      return failFastOnBadInput(() =>
        heartbeating(
          (async () => {
            const series = await featureSeriesOf(input.data, db, pool);
            return (await trainOrReuse(input, series)).model;
          })(),
        ),
      );
    },

    /** Backtest segments: each one's model, predictions and segment row, stored; a few numbers returned. */
    async trainSegments(input: TrainSegmentsInput): Promise<SegmentTrained[]> {
      return failFastOnBadInput(() => heartbeating(Promise.all(input.segments.map((segment) => trainSegment({ ...input, ...segment })))));
    },
  };
}

export type TrainingActivities = ReturnType<typeof createTrainingActivities>;
