/**
 * The history of model statuses (`model_status_events`): recorded by db/repositories/models.ts inside the
 * transaction of each change, read by the dashboard's Models page.
 */
import { asc, desc, inArray } from 'drizzle-orm';
import type { Executor } from '../client';
import { modelStatusEvents, type ModelStatusEventRow, type NewModelStatusEventRow } from '../model-history-schema';

/** Why and by whom a status changes, when the caller knows it. */
export interface StatusChangeNote {
  readonly reason?: string | null;
  readonly actor?: string | null;
}

export async function recordStatusEvent(db: Executor, row: NewModelStatusEventRow): Promise<void> {
  await db.insert(modelStatusEvents).values(row);
}

/** Each version's status changes, oldest first (at most `perVersion` of the newest). */
export async function statusEventsOf(db: Executor, versions: readonly string[], perVersion = 20): Promise<Map<string, ModelStatusEventRow[]>> {
  const out = new Map<string, ModelStatusEventRow[]>();
  if (versions.length === 0) return out;
  const rows = await db
    .select()
    .from(modelStatusEvents)
    .where(inArray(modelStatusEvents.version, [...versions]))
    .orderBy(asc(modelStatusEvents.version), desc(modelStatusEvents.at), desc(modelStatusEvents.id));
  for (const row of rows) {
    const list = out.get(row.version) ?? [];
    if (list.length < perVersion) list.push(row);
    out.set(row.version, list);
  }
  for (const list of out.values()) list.reverse();
  return out;
}
