/**
 * The `funding_rates` table: settled funding rates per (market, symbol, funding time), written like bars (new rows
 * inserted, identical ones untouched, different values for a stored time refused unless replacing) and read back
 * as the trading code's FundingRate (time as the exchange gave it; the trading code floors it to the minute).
 */
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { SeriesKey } from '../../domain/markets';
import type { FundingRate } from '../../domain/trading/funding';
import type { Executor } from '../client';
import { fundingRates } from '../schema';

/** A stored funding and the different values offered for the same time. */
export interface FundingConflict {
  readonly stored: FundingRate;
  readonly incoming: FundingRate;
}

export interface WriteFundingResult {
  readonly inserted: number;
  readonly replaced: number;
  readonly unchanged: number;
  readonly conflicts: number;
  readonly conflictExamples: readonly FundingConflict[];
}

const CONFLICT_EXAMPLES = 5;
const number = z.coerce.number();
const mark = z.number().nullable();
const writeResult = z.object({
  inserted: number,
  replaced: number,
  conflicts: number,
  examples: z.array(z.object({ t: number, sr: number, sm: mark, r: number, m: mark })),
});

const column = (c: { readonly name: string }) => sql.identifier(c.name);

/** Writes funding rates of `series` (unique times) in one statement; `replace` overwrites differing stored ones. */
export async function writeFundingRates(
  db: Executor,
  series: SeriesKey,
  rates: readonly FundingRate[],
  source: string,
  options: { readonly replace: boolean },
): Promise<WriteFundingResult> {
  if (rates.length === 0) return { inserted: 0, replaced: 0, unchanged: 0, conflicts: 0, conflictExamples: [] };
  const t = fundingRates;
  // As in bar-writes.ts: every CTE sees the rows as they were before the statement.
  const [row] = await db.execute(sql`
    with u(t, r, m) as (
      select * from unnest(${sql.param(rates.map((f) => f.time))}::bigint[], ${sql.param(rates.map((f) => f.rate))}::float8[],
                           ${sql.param(rates.map((f) => f.markPrice ?? null))}::float8[])),
    differing as (
      select u.*, s.rate as sr, s.mark_price as sm
      from u join ${t} s on s.market = ${series.market} and s.symbol = ${series.symbol} and s.funding_time = u.t
      where (s.rate, s.mark_price) is distinct from (u.r, u.m)),
    written as (
      insert into ${t} (${column(t.market)}, ${column(t.symbol)}, ${column(t.fundingTime)}, ${column(t.rate)}, ${column(t.markPrice)}, ${column(t.source)})
      select ${series.market}, ${series.symbol}, t, r, m, ${source} from u
      on conflict (${column(t.market)}, ${column(t.symbol)}, ${column(t.fundingTime)}) do update
        set rate = excluded.rate, mark_price = excluded.mark_price, source = excluded.source
        where ${options.replace}::boolean and (${t.rate}, ${t.markPrice}) is distinct from (excluded.rate, excluded.mark_price)
      returning (xmax = 0) as fresh)
    select (select count(*) from written where fresh) as inserted,
           (select count(*) from written where not fresh) as replaced,
           (select count(*) from differing) as conflicts,
           (select coalesce(json_agg(d order by d.t), '[]'::json) from (select * from differing order by t limit ${CONFLICT_EXAMPLES}) d) as examples`);
  const result = writeResult.parse(row);
  return {
    inserted: result.inserted,
    replaced: result.replaced,
    unchanged: rates.length - result.inserted - result.conflicts,
    conflicts: result.conflicts,
    conflictExamples: result.examples.map((e) => ({ stored: { time: e.t, rate: e.sr, markPrice: e.sm }, incoming: { time: e.t, rate: e.r, markPrice: e.m } })),
  };
}

/** Funding rates of `series` with a funding time in [from, to), ascending. */
export async function loadFundingRates(db: Executor, series: SeriesKey, from: number, to: number): Promise<FundingRate[]> {
  const t = fundingRates;
  return db
    .select({ time: t.fundingTime, rate: t.rate, markPrice: t.markPrice })
    .from(t)
    .where(and(eq(t.market, series.market), eq(t.symbol, series.symbol), gte(t.fundingTime, from), lt(t.fundingTime, to)))
    .orderBy(asc(t.fundingTime));
}
