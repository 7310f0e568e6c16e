/**
 * Model predictions per bar (`predictions`): the champion's and the challenger's in shadow mode, and backtests'.
 */
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { predictions, type NewPredictionRow, type PredictionRole, type PredictionRow } from '../schema';
import { chunks } from './chunks';

// 6 parameters per row.
const CHUNK_SIZE = 5_000;

/** Writes predictions; a row already present for (symbol, open_time, model_version, role) takes the new value. */
export async function upsertPredictions(db: Executor, rows: readonly NewPredictionRow[]): Promise<void> {
  for (const chunk of chunks(rows, CHUNK_SIZE)) {
    await db
      .insert(predictions)
      .values(chunk)
      .onConflictDoUpdate({
        target: [predictions.symbol, predictions.openTime, predictions.modelVersion, predictions.role],
        set: { prediction: sql`excluded.prediction` },
      });
  }
}

export interface PredictionQuery {
  readonly symbol: string;
  readonly modelVersion: string;
  readonly role?: PredictionRole;
  /** Bars opening in [from, to). */
  readonly from: number;
  readonly to: number;
}

/** One model's predictions over a time range, ascending (e.g. to score a challenger on realised returns). */
export async function loadPredictions(db: Executor, q: PredictionQuery): Promise<PredictionRow[]> {
  return db
    .select()
    .from(predictions)
    .where(
      and(
        eq(predictions.symbol, q.symbol),
        eq(predictions.modelVersion, q.modelVersion),
        q.role === undefined ? undefined : eq(predictions.role, q.role),
        gte(predictions.openTime, q.from),
        lt(predictions.openTime, q.to),
      ),
    )
    .orderBy(asc(predictions.openTime));
}
