/**
 * Drift and performance measurements of the live bot: PSI of each feature over the recent bars against the
 * champion's training distribution (stored with the model), and the rolling Sharpe the workflow computed.
 */
import type { MeasureInput } from '../contracts/bot';
import type { Database } from '../db/client';
import { loadBars } from '../db/repositories/bars';
import { liveSeries } from '../domain/markets';
import { getModel } from '../db/repositories/models';
import { insertDriftMeasurements, insertPerformanceMeasurement } from '../db/repositories/monitoring';
import { computeFeatureMatrix, N_FEATURES, WARMUP_BARS } from '../model/features';
import { featureReferenceSchema, maxPsi, psiAll } from '../model/psi';
import { BadInputError, failFastOnBadInput } from './activity-errors';

export function createMonitoringActivities({ db }: { db: Database }) {
  return {
    async measureDrift(input: MeasureInput): Promise<{ feature: string; psi: number } | null> {
      return failFastOnBadInput(async () => {
        const model = await getModel(db, input.modelVersion);
        if (!model) throw new BadInputError(`Model ${input.modelVersion} is not in the registry`);
        const reference = featureReferenceSchema.parse(model.featureReference);
        // Features of the recent window, computed over enough history for the warm-up.
        const from = input.openTime - (input.psiWindowBars + WARMUP_BARS * 2) * 60_000;
        const bars = await loadBars(db, liveSeries(input.symbol), from, input.openTime + 60_000);
        if (bars.length < input.psiWindowBars + WARMUP_BARS) return null;
        const features = computeFeatureMatrix(bars);
        const recent = features.subarray((bars.length - input.psiWindowBars) * N_FEATURES);
        const results = psiAll(reference, recent, N_FEATURES);
        await insertDriftMeasurements(
          db,
          results.map((r) => ({ symbol: input.symbol, openTime: input.openTime, modelVersion: input.modelVersion, feature: r.feature, psi: r.psi })),
        );
        if (input.sharpe !== null) {
          await insertPerformanceMeasurement(db, {
            symbol: input.symbol,
            openTime: input.openTime,
            modelVersion: input.modelVersion,
            metric: 'rolling_sharpe',
            value: input.sharpe,
            windowBars: input.sharpeWindowBars,
          });
        }
        const worst = maxPsi(results);
        return { feature: worst.feature, psi: worst.psi };
      });
    },
  };
}

export type MonitoringActivities = ReturnType<typeof createMonitoringActivities>;
