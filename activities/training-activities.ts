/**
 * The training activity, shared by backtests and (later) the live RetrainWorkflow: trains on the window ending at
 * T, registers the model with its metrics and PSI reference, and returns only its version and metrics.
 */
import type { Database } from '../db/client';
import { getModel, insertModel, modelVersion } from '../db/repositories/models';
import type { JsonObject } from '../db/schema';
import { trainWindow } from '../ml/train-window';
import type { DataRef, TrainedModel, TrainModelInput } from '../workflows/backtest-types';
import { failFastOnBadInput } from './activity-errors';
import { barSeries } from './bar-series';

export interface TrainingActivityDeps {
  readonly db: Database;
}

/** The data a model was trained from, as it enters the version hash (a file by content, the DB by symbol). */
function dataIdentity(ref: DataRef): JsonObject {
  return ref.kind === 'file' ? { kind: 'file', sha256: ref.sha256, from: ref.from } : { kind: 'db', symbol: ref.symbol, from: ref.from };
}

export function createTrainingActivities({ db }: TrainingActivityDeps) {
  return {
    async trainModel(input: TrainModelInput): Promise<TrainedModel> {
      return failFastOnBadInput(async () => {
        const windowMs = input.windowMinutes * 60_000;
        const trainStart = input.trainEnd - windowMs;
        const version = modelVersion({
          symbol: input.symbol,
          trainStart,
          trainEnd: input.trainEnd,
          horizon: input.horizon,
          params: {
            lightgbm: { ...input.lightgbm },
            validationFraction: input.validationFraction,
            data: dataIdentity(input.data),
            purpose: input.purpose,
          },
        });
        // A retried or repeated training finds its model registered: same inputs, same model, no second fit.
        const existing = await getModel(db, version);
        if (existing) {
          const m = existing.metrics;
          return {
            version,
            trainStart,
            trainEnd: input.trainEnd,
            reused: true,
            trainMs: 0,
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
        const series = await barSeries(input.data, db);
        const model = trainWindow({
          bars: series.bars,
          features: series.features,
          trainEnd: input.trainEnd,
          windowMs,
          horizon: input.horizon,
          validationFraction: input.validationFraction,
          lightgbm: input.lightgbm,
          trading: input.trading,
        });
        await insertModel(db, {
          version,
          symbol: input.symbol,
          trainStart,
          trainEnd: input.trainEnd,
          horizon: input.horizon,
          params: { lightgbm: { ...input.lightgbm }, validationFraction: input.validationFraction, data: dataIdentity(input.data) },
          metrics: { ...model.metrics, timingsMs: { train: model.trainMs } },
          featureReference: model.featureReference,
          featureImportance: model.featureImportance,
          modelText: model.modelText,
          status: 'candidate',
          purpose: input.purpose,
        });
        const m = model.metrics;
        return {
          version,
          trainStart,
          trainEnd: input.trainEnd,
          reused: false,
          trainMs: model.trainMs,
          validation: {
            rmse: m.rmse,
            directionalAccuracy: m.directionalAccuracy,
            ic: m.ic,
            sharpe: m.validSharpe,
            baselineRmse: m.baselineRmse,
            bestIteration: m.bestIteration,
            nTrain: m.nTrain,
            nValid: m.nValid,
          },
        };
      });
    },
  };
}

export type TrainingActivities = ReturnType<typeof createTrainingActivities>;
