/** The parameter sweeps for the dashboard (db/sweep-schema.ts): each sweep with its rank-1 combination. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { sweepResults, sweeps } from '../db/sweep-schema';

export async function listSweeps(db: Database) {
  const rows = await db
    .select({
      sweepId: sweeps.sweepId,
      status: sweeps.status,
      startedAt: sweeps.startedAt,
      finishedAt: sweeps.finishedAt,
      combinations: sweeps.combinations,
      groups: sweeps.groups,
      selectOn: sweeps.selectOn,
      holdoutFraction: sweeps.holdoutFraction,
    })
    .from(sweeps)
    .orderBy(desc(sweeps.startedAt))
    .limit(200);
  const ids = rows.map((r) => r.sweepId);
  const best =
    ids.length === 0
      ? []
      : await db
          .select({ sweepId: sweepResults.sweepId, values: sweepResults.values, inSample: sweepResults.inSample, heldOut: sweepResults.heldOut })
          .from(sweepResults)
          .where(and(inArray(sweepResults.sweepId, ids), eq(sweepResults.rank, 1)));
  const byId = new Map(best.map((b) => [b.sweepId, b]));
  return rows.map((r) => ({ ...r, best: byId.get(r.sweepId) ?? null }));
}

export async function sweepOutDir(db: Database, sweepId: string): Promise<string | null> {
  const [row] = await db.select({ outDir: sweeps.outDir }).from(sweeps).where(eq(sweeps.sweepId, sweepId)).limit(1);
  return row?.outDir ?? null;
}
