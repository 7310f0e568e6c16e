/**
 * The model registry (`models`): versions are deterministic, so re-running a training activity with the same
 * inputs finds its model already registered instead of adding a twin.
 */
import { createHash } from 'node:crypto';
import { and, desc, eq, getTableColumns, inArray, type SQL } from 'drizzle-orm';
import type { Executor } from '../client';
import { models, type JsonValue, type ModelPurpose, type ModelRow, type ModelStatus, type NewModelRow } from '../schema';
import { recordStatusEvent, type StatusChangeNote } from './model-status-events';

export interface ModelVersionInput {
  readonly symbol: string;
  /** Training rows are the bars opening in [trainStart, trainEnd) (Unix ms). */
  readonly trainStart: number;
  readonly trainEnd: number;
  readonly horizon: number;
  readonly params: JsonValue;
}

/** JSON with object keys sorted, so equal params hash equally whatever order they were written in. */
function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map((v: JsonValue) => canonicalJson(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as { readonly [key: string]: JsonValue };
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `yyyymmddThhmm` in UTC. */
function compactUtc(timeMs: number): string {
  const iso = new Date(timeMs).toISOString(); // 2023-03-03T12:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/** e.g. `BTCUSDT-20230303T1200-3f9a1c2e`: symbol, end of the training window, hash of window + horizon + params. */
export function modelVersion(input: ModelVersionInput): string {
  const hash = createHash('sha256')
    .update(canonicalJson({ trainStart: input.trainStart, trainEnd: input.trainEnd, horizon: input.horizon, params: input.params }))
    .digest('hex')
    .slice(0, 8);
  return `${input.symbol}-${compactUtc(input.trainEnd)}-${hash}`;
}

/**
 * Registers a model, its initial status opening its history; returns false when that version was already
 * registered (the existing row and its history are kept as they are).
 */
export async function insertModel(db: Executor, row: NewModelRow, note: StatusChangeNote = {}): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(models)
      .values(row)
      .onConflictDoNothing({ target: models.version })
      .returning({ version: models.version, symbol: models.symbol, status: models.status, at: models.statusChangedAt });
    if (inserted === undefined) return false;
    const { version, symbol, status, at } = inserted;
    await recordStatusEvent(tx, { version, symbol, fromStatus: null, toStatus: status, at, reason: note.reason ?? 'registered', actor: note.actor ?? null });
    return true;
  });
}

export async function getModel(db: Executor, version: string): Promise<ModelRow | null> {
  const [row] = await db.select().from(models).where(eq(models.version, version));
  return row ?? null;
}

/** The model serving `symbol` (live purpose), or null before the first promotion. */
export async function getChampion(db: Executor, symbol: string): Promise<ModelRow | null> {
  const [row] = await db
    .select()
    .from(models)
    .where(and(eq(models.symbol, symbol), eq(models.status, 'champion'), eq(models.purpose, 'live')));
  return row ?? null;
}

/** A registry row without the (large) model text. */
export type ModelSummary = Omit<ModelRow, 'modelText'>;

export interface ListModelsFilter {
  readonly symbol?: string;
  readonly status?: ModelStatus | readonly ModelStatus[];
  readonly purpose?: ModelPurpose;
  /** Default 100. */
  readonly limit?: number;
}

/** Newest training window first. */
export async function listModels(db: Executor, filter: ListModelsFilter = {}): Promise<ModelSummary[]> {
  const conditions: SQL[] = [];
  if (filter.symbol !== undefined) conditions.push(eq(models.symbol, filter.symbol));
  if (filter.purpose !== undefined) conditions.push(eq(models.purpose, filter.purpose));
  if (filter.status !== undefined) {
    const statuses: readonly ModelStatus[] = typeof filter.status === 'string' ? [filter.status] : filter.status;
    conditions.push(inArray(models.status, [...statuses]));
  }
  const { modelText: _modelText, ...columns } = getTableColumns(models);
  return db
    .select(columns)
    .from(models)
    .where(and(...conditions))
    .orderBy(desc(models.trainEnd), desc(models.createdAt))
    .limit(filter.limit ?? 100);
}

/**
 * Moves a model to `status` at time `at` (Unix ms) and returns the updated row. Promoting to `champion` retires
 * the symbol's current champion in the same transaction, so a symbol never has two (or, mid-swap, zero).
 * Transitions are not restricted: an operator may re-promote a retired model to roll back. Every change (the
 * retirement too) is recorded in model_status_events in the same transaction; setting the current status again
 * changes and records nothing (a retried activity).
 */
export async function setModelStatus(db: Executor, version: string, status: ModelStatus, at: number, note: StatusChangeNote = {}): Promise<ModelRow> {
  return db.transaction(async (tx) => {
    const current = await getModel(tx, version);
    if (current === null) throw new Error(`model ${version} is not in the registry`);
    if (current.status === status) return current;
    const actor = note.actor ?? null;
    if (status === 'champion') {
      if (current.purpose !== 'live') throw new Error(`model ${version} was trained for a backtest and cannot serve as champion`);
      const retired = await tx
        .update(models)
        .set({ status: 'retired', statusChangedAt: at })
        .where(and(eq(models.symbol, current.symbol), eq(models.status, 'champion'), eq(models.purpose, 'live')))
        .returning({ version: models.version, symbol: models.symbol });
      for (const r of retired) await recordStatusEvent(tx, { ...r, fromStatus: 'champion', toStatus: 'retired', at, reason: `replaced by ${version}`, actor });
    }
    const [updated] = await tx.update(models).set({ status, statusChangedAt: at }).where(eq(models.version, version)).returning();
    await recordStatusEvent(tx, { version, symbol: current.symbol, fromStatus: current.status, toStatus: status, at, reason: note.reason ?? null, actor });
    return updated!;
  });
}
