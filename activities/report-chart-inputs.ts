/**
 * Gathers the inputs of report.html's interactive charts from what a finished run stored: its test bars, the
 * stored predictions, each segment's validation metrics (backtest_segments.validation) and its model's feature
 * importance (the registry's feature_importance, LightGBM gain). Stored JSON is checked with zod.
 */
import { z } from 'zod';
import type { Database } from '../db/client';
import { featureImportanceOf } from '../db/repositories/model-importance';
import type { BacktestSegmentRow } from '../db/schema';
import type { ChartInputs, ModelQuality } from '../reports/types';
import type { BarList } from './bar-series';

const validationSchema = z.object({
  rmse: z.number(),
  ic: z.number(),
  baselineRmse: z.number().optional(),
  bestIteration: z.number().optional(),
});

const importanceSchema = z.record(z.string(), z.number());

/** One point per segment; a segment whose stored metrics lack a field shows it as 0 (older runs had no baseline). */
export function modelQualityOf(segments: readonly BacktestSegmentRow[]): ModelQuality[] {
  return segments.flatMap((s) => {
    const v = validationSchema.safeParse(s.validation);
    if (!v.success) return [];
    return [
      {
        version: s.modelVersion,
        trainedAt: s.trainEnd,
        ic: v.data.ic,
        rmse: v.data.rmse,
        baselineRmse: v.data.baselineRmse ?? 0,
        bestIteration: v.data.bestIteration ?? 0,
      },
    ];
  });
}

export async function chartInputsOf(
  db: Database,
  input: {
    readonly series: BarList;
    readonly testRange: { readonly from: number; readonly to: number };
    readonly predictions: { readonly openTime: readonly number[]; readonly prediction: readonly number[] };
    readonly segments: readonly BacktestSegmentRow[];
  },
): Promise<ChartInputs> {
  const { series, testRange } = input;
  const bars = series.bars.filter((b) => b.openTime >= testRange.from && b.openTime < testRange.to);
  const stored = await featureImportanceOf(
    db,
    input.segments.map((s) => s.modelVersion),
  );
  const featureImportance = input.segments.flatMap((s) => {
    const parsed = importanceSchema.safeParse(stored.get(s.modelVersion));
    return parsed.success ? [parsed.data] : [];
  });
  return { bars, predictions: input.predictions, modelQuality: modelQualityOf(input.segments), featureImportance };
}
