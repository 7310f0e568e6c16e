/**
 * Questions about a symbol's sequence of champions, asked by the models CLI (rollback).
 */
import { and, desc, eq, getTableColumns } from 'drizzle-orm';
import type { Executor } from '../client';
import { models } from '../schema';
import type { ModelSummary } from './models';

/**
 * The live model of `symbol` retired most recently, i.e. the champion before the current one; a rollback
 * promotes it again. Null when no model of the symbol was ever retired.
 */
export async function lastRetired(db: Executor, symbol: string): Promise<ModelSummary | null> {
  const { modelText: _modelText, ...columns } = getTableColumns(models);
  const [row] = await db
    .select(columns)
    .from(models)
    .where(and(eq(models.symbol, symbol), eq(models.status, 'retired'), eq(models.purpose, 'live')))
    .orderBy(desc(models.statusChangedAt), desc(models.trainEnd))
    .limit(1);
  return row ?? null;
}
