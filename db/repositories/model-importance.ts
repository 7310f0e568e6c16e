/** Read-only: the stored LightGBM feature importance (gain) of given model versions, for backtest reports. */
import { inArray } from 'drizzle-orm';
import type { Executor } from '../client';
import { models } from '../schema';

/** A bounded parameter list per statement (a year of hourly retrains names thousands of versions). */
const BATCH = 1_000;

export async function featureImportanceOf(db: Executor, versions: readonly string[]): Promise<Map<string, Readonly<Record<string, number>>>> {
  const unique = [...new Set(versions)];
  const out = new Map<string, Readonly<Record<string, number>>>();
  for (let i = 0; i < unique.length; i += BATCH) {
    const rows = await db
      .select({ version: models.version, featureImportance: models.featureImportance })
      .from(models)
      .where(inArray(models.version, unique.slice(i, i + BATCH)));
    for (const r of rows) out.set(r.version, r.featureImportance);
  }
  return out;
}
