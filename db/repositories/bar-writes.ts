/**
 * Writing bars without ever silently replacing a stored bar by different values. Every write compares each incoming
 * bar with the stored one of its minute: new minutes are inserted, identical ones left untouched (no dead tuples),
 * and differing ones are conflicts, replaced only with `replace: true` and reported either way (count and the first
 * few, stored beside incoming values).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Bar } from '../../domain/bars';
import type { SeriesKey } from '../../domain/markets';
import type { Executor } from '../client';
import { bars } from '../schema';

/**
 * Bars per statement. The rows travel as six array parameters expanded by unnest(), not as 9 bound parameters per
 * row: ~5x faster (drizzle's per-row query building dominates otherwise) and no 65,535-parameter limit.
 */
export const BAR_CHUNK_SIZE = 50_000;
/** Conflicts kept as examples in a result (all are counted). */
const CONFLICT_EXAMPLES = 5;

/** A stored bar and the different values offered for the same minute. */
export interface BarConflict {
  readonly stored: Bar;
  readonly incoming: Bar;
}

export interface WriteBarsOptions {
  /** Overwrite stored bars whose values differ (else they are kept and reported as conflicts). */
  readonly replace: boolean;
  readonly chunkSize?: number;
}

export interface WriteBarsResult {
  /** New (market, symbol, open_time) rows. */
  readonly inserted: number;
  /** Stored rows overwritten by different values (only with `replace`). */
  readonly replaced: number;
  /** Stored rows with identical values. */
  readonly unchanged: number;
  /** Stored rows whose values differ from the incoming ones (replaced with `replace`, kept otherwise). */
  readonly conflicts: number;
  /** The earliest conflicts of each chunk, at most a few, ascending. */
  readonly conflictExamples: readonly BarConflict[];
}

const number = z.coerce.number();
const chunkResult = z.object({
  inserted: number,
  replaced: number,
  conflicts: number,
  examples: z.array(z.object({ t: number, so: number, sh: number, sl: number, sc: number, sv: number, o: number, h: number, l: number, c: number, v: number })),
});

const column = (c: { readonly name: string }) => sql.identifier(c.name);

/**
 * Writes ascending bars of `series`. One statement per chunk: call it inside `db.transaction(...)` when the whole
 * set must land or not at all (a caller refusing conflicts throws after seeing them, which rolls the chunk back).
 */
export async function writeBars(db: Executor, series: SeriesKey, rows: readonly Bar[], source: string, options: WriteBarsOptions): Promise<WriteBarsResult> {
  const chunkSize = options.chunkSize ?? BAR_CHUNK_SIZE;
  let inserted = 0;
  let replaced = 0;
  let conflicts = 0;
  const conflictExamples: BarConflict[] = [];
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    const array = (pick: (b: Bar) => number) => sql.param(chunk.map(pick));
    // All CTEs see the table as it was before the statement: `differing` compares with the stored values, and the
    // INSERT's ON CONFLICT updates only differing rows, only when replacing. xmax = 0 marks a fresh row version.
    const [row] = await db.execute(sql`
      with u(t, o, h, l, c, v) as (
        select * from unnest(${array((b) => b.openTime)}::bigint[], ${array((b) => b.open)}::float8[], ${array((b) => b.high)}::float8[],
                             ${array((b) => b.low)}::float8[], ${array((b) => b.close)}::float8[], ${array((b) => b.volume)}::float8[])),
      differing as (
        select u.*, s.open as so, s.high as sh, s.low as sl, s.close as sc, s.volume as sv
        from u join ${bars} s on s.market = ${series.market} and s.symbol = ${series.symbol} and s.open_time = u.t
        where (s.open, s.high, s.low, s.close, s.volume) is distinct from (u.o, u.h, u.l, u.c, u.v)),
      written as (
        insert into ${bars} (${column(bars.market)}, ${column(bars.symbol)}, ${column(bars.openTime)}, ${column(bars.open)}, ${column(bars.high)},
                             ${column(bars.low)}, ${column(bars.close)}, ${column(bars.volume)}, ${column(bars.source)})
        select ${series.market}, ${series.symbol}, t, o, h, l, c, v, ${source} from u
        on conflict (${column(bars.market)}, ${column(bars.symbol)}, ${column(bars.openTime)}) do update
          set open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume, source = excluded.source
          where ${options.replace}::boolean
            and (${bars.open}, ${bars.high}, ${bars.low}, ${bars.close}, ${bars.volume})
                is distinct from (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume)
        returning (xmax = 0) as fresh)
      select (select count(*) from written where fresh) as inserted,
             (select count(*) from written where not fresh) as replaced,
             (select count(*) from differing) as conflicts,
             (select coalesce(json_agg(d order by d.t), '[]'::json) from (select * from differing order by t limit ${CONFLICT_EXAMPLES}) d) as examples`);
    const result = chunkResult.parse(row);
    inserted += result.inserted;
    replaced += result.replaced;
    conflicts += result.conflicts;
    for (const e of result.examples) {
      if (conflictExamples.length >= CONFLICT_EXAMPLES) break;
      conflictExamples.push({
        stored: { openTime: e.t, open: e.so, high: e.sh, low: e.sl, close: e.sc, volume: e.sv },
        incoming: { openTime: e.t, open: e.o, high: e.h, low: e.l, close: e.c, volume: e.v },
      });
    }
  }
  return { inserted, replaced, unchanged: rows.length - inserted - conflicts, conflicts, conflictExamples };
}
