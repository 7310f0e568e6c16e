import type { Bar } from '../domain/bars';
import type { Executor } from '../db/client';
import { upsertPredictions } from '../db/repositories/predictions';
import type { SegmentInputs, SegmentTimings } from '../workflows/backtest-types';

/** The columnar form of a segment's bars and predictions that travels to the workflow. */
export function segmentInputs(bars: readonly Bar[], prediction: readonly number[], timings: SegmentTimings): SegmentInputs {
  return {
    openTime: bars.map((b) => b.openTime),
    open: bars.map((b) => b.open),
    high: bars.map((b) => b.high),
    low: bars.map((b) => b.low),
    close: bars.map((b) => b.close),
    volume: bars.map((b) => b.volume),
    prediction,
    timings,
  };
}

/** Stores a backtest segment's predictions (idempotent upsert). */
export async function recordSegmentPredictions(db: Executor, symbol: string, modelVersion: string, bars: readonly Bar[], prediction: readonly number[]): Promise<void> {
  await upsertPredictions(
    db,
    bars.map((b, i) => ({ symbol, openTime: b.openTime, modelVersion, role: 'backtest' as const, prediction: prediction[i]! })),
  );
}
