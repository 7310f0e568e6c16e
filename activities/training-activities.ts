/**
 * The training activities, shared by backtests and the live RetrainWorkflow: train on the window ending at T,
 * register the model with its metrics and PSI reference, and return only its version and metrics.
 * `trainAndPredict` also predicts the bars the model will trade in a backtest segment, with the fresh booster:
 * one activity round trip per segment instead of two, and no reload of the model text.
 */
import { N_FEATURES } from '../domain/features';
import { featureReferenceSchema, maxPsi, psiAll, type FeaturePsi } from '../domain/psi';
import type { Database } from '../db/client';
import { getModel, insertModel, modelVersion } from '../db/repositories/models';
import type { JsonObject, ModelRow } from '../db/schema';
import { BoosterCache } from '../ml/booster-cache';
import { trainWindow } from '../ml/train-window';
import type { DataRef, SegmentInputs, TrainedModel, TrainModelInput } from '../workflows/backtest-types';
import { BadInputError, failFastOnBadInput } from './activity-errors';
import { barSeries, iso, type BarSeries } from './bar-series';
import { recordSegmentPredictions, segmentInputs } from './segment';

export interface TrainingActivityDeps {
  readonly db: Database;
  readonly boosters?: BoosterCache;
}

export interface TrainAndPredictInput extends TrainModelInput {
  /** The segment to predict: bars opening in [from, to). */
  readonly predict: { readonly from: number; readonly to: number };
  /** Bars ending at the segment's end whose feature distribution is compared with the model's (PSI). */
  readonly psiWindowBars: number;
}

/** The data a model was trained from, as it enters the version hash (a file by content, the DB by symbol). */
function dataIdentity(ref: DataRef): JsonObject {
  return ref.kind === 'file' ? { kind: 'file', sha256: ref.sha256, from: ref.from } : { kind: 'db', symbol: ref.symbol, from: ref.from };
}

function versionOf(input: TrainModelInput): string {
  return modelVersion({
    symbol: input.symbol,
    trainStart: input.trainEnd - input.windowMinutes * 60_000,
    trainEnd: input.trainEnd,
    horizon: input.horizon,
    params: { lightgbm: { ...input.lightgbm }, validationFraction: input.validationFraction, data: dataIdentity(input.data), purpose: input.purpose },
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

function segmentRows(series: BarSeries, from: number, to: number): { first: number; count: number } {
  const first = series.indexOf(from);
  const count = (to - from) / 60_000;
  if (first < 0 || !Number.isInteger(count) || count <= 0 || first + count > series.bars.length) {
    throw new BadInputError(`Segment ${iso(from)} .. ${iso(to)} lies outside the data`);
  }
  return { first, count };
}

export function createTrainingActivities({ db, boosters = new BoosterCache() }: TrainingActivityDeps) {
  /** Trains (or finds in the registry: same inputs, same model) and optionally predicts rows with the result. */
  async function trainOrReuse(input: TrainModelInput, predict?: { first: number; count: number; series: BarSeries }) {
    const version = versionOf(input);
    // A retried or repeated training finds its model registered: no second fit.
    let t = performance.now();
    const existing = await getModel(db, version);
    let dbMs = performance.now() - t;
    if (existing) {
      let predictions: Float64Array | undefined;
      t = performance.now();
      if (predict) {
        const booster = await boosters.get(version, async () => existing.modelText);
        const x = predict.series.features.subarray(predict.first * N_FEATURES, (predict.first + predict.count) * N_FEATURES);
        predictions = booster.predict({ x, nRows: predict.count, nCols: N_FEATURES });
      }
      return { model: summaryOf(existing, true, 0), predictions, reference: existing.featureReference, timings: { trainMs: 0, prepareMs: performance.now() - t, dbMs } };
    }
    const series = predict?.series ?? (await barSeries(input.data, db));
    const windowMs = input.windowMinutes * 60_000;
    const trained = trainWindow({
      bars: series.bars,
      features: series.features,
      trainEnd: input.trainEnd,
      windowMs,
      horizon: input.horizon,
      validationFraction: input.validationFraction,
      lightgbm: input.lightgbm,
      trading: input.trading,
      ...(predict
        ? { predictRows: { x: series.features.subarray(predict.first * N_FEATURES, (predict.first + predict.count) * N_FEATURES), nRows: predict.count } }
        : {}),
    });
    const row = {
      version,
      symbol: input.symbol,
      trainStart: trained.trainStart,
      trainEnd: input.trainEnd,
      horizon: input.horizon,
      params: { lightgbm: { ...input.lightgbm }, validationFraction: input.validationFraction, data: dataIdentity(input.data) },
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

  return {
    async trainModel(input: TrainModelInput): Promise<TrainedModel> {
      return failFastOnBadInput(async () => (await trainOrReuse(input)).model);
    },

    async trainAndPredict(input: TrainAndPredictInput): Promise<{ model: TrainedModel; segment: SegmentInputs; drift: FeaturePsi }> {
      return failFastOnBadInput(async () => {
        const series = await barSeries(input.data, db);
        const rows = segmentRows(series, input.predict.from, input.predict.to);
        const { model, predictions, reference, timings } = await trainOrReuse(input, { ...rows, series });
        // Drift the live bot would have measured at the end of this segment (reported in summary.json).
        const end = rows.first + rows.count;
        const start = Math.max(0, end - input.psiWindowBars);
        const drift = maxPsi(psiAll(featureReferenceSchema.parse(reference), series.features.subarray(start * N_FEATURES, end * N_FEATURES), N_FEATURES));
        const bars = series.bars.slice(rows.first, rows.first + rows.count);
        const prediction = Array.from(predictions!);
        const t = performance.now();
        await recordSegmentPredictions(db, input.symbol, model.version, bars, prediction);
        return { model, drift, segment: segmentInputs(bars, prediction, { ...timings, dbMs: timings.dbMs + performance.now() - t }) };
      });
    },
  };
}

export type TrainingActivities = ReturnType<typeof createTrainingActivities>;
