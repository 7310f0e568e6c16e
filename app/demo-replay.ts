/**
 * What `npm run demo` replays: the shipped BTCUSDT bars, and for every other symbol of a multi-symbol demo a
 * STAND-IN series derived from them (market-data/stand-in-bars.ts, labelled wherever it shows), on one local
 * exchange; and the clean-up of what an earlier replay of the same minutes left behind.
 */
import type { LocalRuntime } from './local-runtime';
import { botWorkflowId } from '../contracts/bot';
import { marketDataWorkflowId } from '../contracts/market-data';
import { portfolioWorkflowId } from '../contracts/portfolio';
import { BAR_MS, type Bar } from '../domain/bars';
import { LIVE_MARKET, liveSeries } from '../domain/markets';
import type { TradingMode } from '../domain/trading-mode';
import { loadBars } from '../db/repositories/bars';
import { standInBars, standInLabel } from '../market-data/stand-in-bars';

export interface DemoMarket {
  readonly symbol: string;
  readonly bars: readonly Bar[];
  /** How its data is described (real, or a stand-in and how it was derived). */
  readonly label: string;
}

/** The replayed series of each symbol, on the timeline of the shipped bars. */
export function demoMarkets(symbols: readonly string[], real: readonly Bar[]): DemoMarket[] {
  return symbols.map((symbol) => ({ symbol, bars: standInBars(real, symbol), label: standInLabel(symbol, real.length) }));
}

/**
 * Every demo replays the same market from the same minute. What an earlier demo left (its running bot and stream,
 * the bars it stored "in the future" of the new replay, its decisions) would make the new bot see every bar as
 * late, so it is cleared, within the replay's time range only (a real bot's records are of other times); models
 * stay in the registry and earlier runs stay in Temporal's history. Bars of the live market in that range that are
 * not the replay's (downloaded ones) are never deleted: the demo refuses to start instead.
 */
export async function forgetEarlierReplay(
  runtime: LocalRuntime,
  symbol: string,
  mode: TradingMode,
  replay: readonly Bar[],
  historyBars: number,
): Promise<void> {
  const from = replay[historyBars]!.openTime;
  const to = replay.at(-1)!.openTime;
  const byTime = new Map(replay.map((b) => [b.openTime, b]));
  const stored = await loadBars(runtime.database.db, liveSeries(symbol), from, to + BAR_MS);
  const foreign = stored.filter((b) => {
    const r = byTime.get(b.openTime);
    return r === undefined || r.open !== b.open || r.high !== b.high || r.low !== b.low || r.close !== b.close || r.volume !== b.volume;
  });
  if (foreign.length > 0) {
    throw new Error(
      `the database holds ${foreign.length} ${LIVE_MARKET} bars of ${symbol} in the demo's replay range that are not the replay's (first at ` +
        `${new Date(foreign[0]!.openTime).toISOString()}); the demo would delete them. Run it with a data folder of its own, e.g. BOT_DATA_DIR=.data/demo npm run demo`,
    );
  }
  for (const id of [botWorkflowId(symbol, mode), marketDataWorkflowId(symbol)]) {
    await runtime.client.workflow
      .getHandle(id)
      .terminate('a new demo replay starts')
      .catch(() => undefined); // not running
  }
  const sql = runtime.database.sql;
  await sql`delete from bars where market = ${LIVE_MARKET} and symbol = ${symbol} and open_time between ${from} and ${to}`;
  for (const table of ['decisions', 'equity_snapshots']) {
    await sql`delete from ${sql(table)} where symbol = ${symbol} and mode = ${mode} and open_time between ${from} and ${to}`;
  }
  await sql`delete from predictions where symbol = ${symbol} and open_time between ${from} and ${to}`;
  await sql`delete from trades where symbol = ${symbol} and mode = ${mode} and entry_time between ${from} and ${to}`;
}

/** Ends the portfolio an earlier demo left running (its minutes are of the earlier replay). */
export async function forgetEarlierPortfolio(runtime: LocalRuntime, mode: TradingMode): Promise<void> {
  await runtime.client.workflow
    .getHandle(portfolioWorkflowId(mode))
    .terminate('a new demo replay starts')
    .catch(() => undefined); // not running
}
