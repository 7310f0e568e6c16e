/**
 * The bulk results of a backtest run, written by its activities as the run goes and read back by reference:
 * segments (one per model), predictions, the equity curve. Rows travel as PostgreSQL arrays (`unnest`), so a
 * segment or a chunk of a year-long run is one statement with a handful of parameters, whatever its length.
 * Every write is idempotent: a retried activity writes the same rows again and changes nothing.
 */
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { backtestEquity, backtestSegments, type BacktestSegmentRow, type NewBacktestSegmentRow } from '../schema';

/** A PostgreSQL array literal of finite numbers (JS prints the shortest text that round-trips a float64). */
function numberArray(values: ArrayLike<number>, what: string): string {
  const parts: string[] = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new Error(`${what}[${i}] is not a finite number (${v})`);
    parts[i] = String(v);
  }
  return `{${parts.join(',')}}`;
}

/** Stores (or finds stored) one model's predictions of the bars opening at `openTimes`. */
export async function insertBacktestPredictions(
  db: Executor,
  input: { symbol: string; modelVersion: string; openTimes: ArrayLike<number>; predictions: ArrayLike<number> },
): Promise<void> {
  if (input.openTimes.length !== input.predictions.length) throw new Error('insertBacktestPredictions: one prediction per open time');
  if (input.openTimes.length === 0) return;
  // A model's prediction of a bar is a pure function of the two, so an existing row already holds this value.
  await db.execute(sql`
    insert into predictions (symbol, open_time, model_version, role, prediction)
    select ${input.symbol}, t.open_time, ${input.modelVersion}, 'backtest', t.prediction
    from unnest(${numberArray(input.openTimes, 'openTimes')}::bigint[], ${numberArray(input.predictions, 'predictions')}::float8[]) as t(open_time, prediction)
    on conflict (symbol, open_time, model_version, role) do nothing`);
}

/** How many of a model's backtest predictions over [from, to) are stored (a finished segment has them all). */
export async function countBacktestPredictions(db: Executor, symbol: string, modelVersion: string, from: number, to: number): Promise<number> {
  const rows = await db.execute<{ n: string }>(sql`
    select count(*) as n from predictions
    where symbol = ${symbol} and model_version = ${modelVersion} and role = 'backtest' and open_time >= ${from} and open_time < ${to}`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Records a segment; returns whether its model was reused. A retry after a crash finds the model it trained
 * before the crash in the registry: the segment still counts as trained (reused only if no attempt trained).
 */
export async function upsertSegment(db: Executor, row: NewBacktestSegmentRow): Promise<{ reused: boolean }> {
  const [stored] = await db
    .insert(backtestSegments)
    .values(row)
    .onConflictDoUpdate({
      target: [backtestSegments.runId, backtestSegments.seq],
      set: { reused: sql`${backtestSegments.reused} and excluded.reused` },
    })
    .returning({ reused: backtestSegments.reused });
  return { reused: stored!.reused };
}

export async function listSegments(db: Executor, runId: string, fromSeq = 0, toSeq = 2_147_483_647): Promise<BacktestSegmentRow[]> {
  return db
    .select()
    .from(backtestSegments)
    .where(and(eq(backtestSegments.runId, runId), gte(backtestSegments.seq, fromSeq), lt(backtestSegments.seq, toSeq)))
    .orderBy(asc(backtestSegments.seq));
}

/** The prediction and model of every test bar of segments [fromSeq, toSeq), in time order. */
export async function loadSegmentPredictions(
  db: Executor,
  input: { runId: string; symbol: string; fromSeq: number; toSeq: number },
): Promise<{ openTime: number[]; prediction: number[]; modelVersion: string[] }> {
  const rows = await db.execute<{ open_time: string; prediction: number; model_version: string }>(sql`
    select p.open_time, p.prediction, s.model_version
    from backtest_segments s
    join predictions p on p.symbol = ${input.symbol} and p.model_version = s.model_version and p.role = 'backtest'
      and p.open_time >= s.train_end and p.open_time < s.segment_to
    where s.run_id = ${input.runId} and s.seq >= ${input.fromSeq} and s.seq < ${input.toSeq}
    order by p.open_time`);
  return {
    openTime: rows.map((r) => Number(r.open_time)),
    prediction: rows.map((r) => Number(r.prediction)),
    modelVersion: rows.map((r) => r.model_version),
  };
}

/** Appends equity points; a point already stored for (run, time) is kept (a retried chunk computes the same). */
export async function insertEquity(db: Executor, runId: string, openTimes: ArrayLike<number>, equity: ArrayLike<number>): Promise<void> {
  if (openTimes.length === 0) return;
  await db.execute(sql`
    insert into backtest_equity (run_id, open_time, equity)
    select ${runId}, t.open_time, t.equity
    from unnest(${numberArray(openTimes, 'openTimes')}::bigint[], ${numberArray(equity, 'equity')}::float8[]) as t(open_time, equity)
    on conflict (run_id, open_time) do nothing`);
}

export async function loadEquity(db: Executor, runId: string): Promise<{ openTime: number; equity: number }[]> {
  const rows = await db
    .select({ openTime: backtestEquity.openTime, equity: backtestEquity.equity })
    .from(backtestEquity)
    .where(eq(backtestEquity.runId, runId))
    .orderBy(asc(backtestEquity.openTime));
  return rows;
}
