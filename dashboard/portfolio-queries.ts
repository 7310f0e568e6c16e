/**
 * The portfolio's refusals as its bots recorded them: `decisions` rows whose reason is one of the portfolio's
 * (max_positions, max_exposure, portfolio_halted, portfolio_unavailable), newest first, with their counts by reason.
 * Read over the portfolio's symbols and a bounded window of minutes, so the primary key (symbol, mode, open_time)
 * serves it however long the bots have run.
 */
import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { decisions } from '../db/schema';
import type { TradingMode } from '../contracts/bot';
import { PORTFOLIO_REASONS } from './portfolio';

export const REFUSAL_ROWS = 50;
/** The window read: the week of minutes up to the portfolio's newest one. */
export const REFUSAL_WINDOW_MS = 7 * 86_400_000;

export interface RecordedRefusal {
  readonly symbol: string;
  readonly mode: TradingMode;
  readonly openTime: number;
  readonly reason: string;
  readonly prediction: number | null;
  readonly action: string;
}

export interface PortfolioRefusals {
  /** The earliest minute read. */
  readonly since: number;
  readonly recent: readonly RecordedRefusal[];
  readonly counts: Readonly<Record<string, number>>;
}

/** `until`: the portfolio's newest minute (its last served one, else now). */
export async function portfolioRefusals(db: Database, mode: TradingMode, symbols: readonly string[], until: number): Promise<PortfolioRefusals> {
  const since = until - REFUSAL_WINDOW_MS;
  if (symbols.length === 0) return { since, recent: [], counts: {} };
  const where = and(
    inArray(decisions.symbol, [...symbols]),
    eq(decisions.mode, mode),
    gte(decisions.openTime, since),
    inArray(decisions.reason, [...PORTFOLIO_REASONS]),
  );
  const recent = await db
    .select({
      symbol: decisions.symbol,
      mode: decisions.mode,
      openTime: decisions.openTime,
      reason: decisions.reason,
      prediction: decisions.prediction,
      action: decisions.action,
    })
    .from(decisions)
    .where(where)
    .orderBy(desc(decisions.openTime), decisions.symbol)
    .limit(REFUSAL_ROWS);
  const counted = await db
    .select({ reason: decisions.reason, count: sql<number>`count(*)::int` })
    .from(decisions)
    .where(where)
    .groupBy(decisions.reason);
  return { since, recent, counts: Object.fromEntries(counted.map((c) => [c.reason, c.count])) };
}
