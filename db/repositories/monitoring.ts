/** Drift (PSI per feature) and performance measurements of a model, one set per measured bar; first write wins. */
import type { Executor } from '../client';
import { driftMeasurements, performanceMeasurements, type NewDriftMeasurementRow, type NewPerformanceMeasurementRow } from '../schema';

export async function insertDriftMeasurements(db: Executor, rows: readonly NewDriftMeasurementRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(driftMeasurements)
    .values([...rows])
    .onConflictDoNothing();
}

export async function insertPerformanceMeasurement(db: Executor, row: NewPerformanceMeasurementRow): Promise<void> {
  await db.insert(performanceMeasurements).values(row).onConflictDoNothing();
}
