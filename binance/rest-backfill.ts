/**
 * Filling a range of closed 1-minute bars over REST (GET /fapi/v1/klines through ccxt's fetchOHLCV), page by
 * page, each page stored (and announced) before the next is fetched: a long backfill makes visible progress and
 * a retry after a failure starts from what is already stored.
 */
import { BAR_MS, type Bar } from '../domain/bars';
import type { SeriesKey } from '../domain/markets';
import type { BarRange } from '../market-data/bar-window';
import { candleToBar } from './candles';
import type { RestClient } from './exchange-client';
import { storeClosedBars, type BarStore } from '../market-data/store-bars';

/** Bars per request: ccxt caps binance's fetchOHLCV at 1000 (request weight 5; Binance's 1500 costs 10). */
export const KLINE_PAGE_LIMIT = 1000;

export interface BackfillTarget {
  readonly rest: RestClient;
  readonly store: BarStore;
  /** The stored series: Binance USD-M (BINANCE_USDM) and the exchange id, e.g. BTCUSDT. */
  readonly series: SeriesKey;
  /** ccxt's unified symbol, e.g. BTC/USDT:USDT. */
  readonly marketSymbol: string;
  /** Written to bars.source, e.g. 'binance-rest'. */
  readonly source: string;
}

export interface BackfillResult {
  /** Bars the exchange returned in the range (may be fewer than its minutes if the exchange has a hole). */
  readonly fetched: number;
  /** Of those, rows that were not stored yet. */
  readonly inserted: number;
  /** Open time of the last bar fetched, null if none. */
  readonly lastOpenTime: number | null;
}

/**
 * Fetches and stores the bars opening in `range` (inclusive). The caller makes sure `range.to` is closed on
 * the exchange (Binance also serves the bar in progress, which must never be stored).
 */
export async function backfillRange(target: BackfillTarget, range: BarRange, signal?: AbortSignal): Promise<BackfillResult> {
  let fetched = 0;
  let inserted = 0;
  let lastOpenTime: number | null = null;
  let since = range.from;
  while (since <= range.to) {
    signal?.throwIfAborted();
    const candles = await target.rest.fetchOHLCV(target.marketSymbol, '1m', since, KLINE_PAGE_LIMIT, { until: range.to });
    const page: Bar[] = [];
    for (const candle of candles) {
      const bar = candleToBar(candle, `${target.rest.id} fetchOHLCV`);
      // Ascending, unique and inside the range, whatever the exchange sent.
      if (bar.openTime < since || bar.openTime > range.to || (page.length > 0 && bar.openTime <= page.at(-1)!.openTime)) continue;
      page.push(bar);
    }
    const last = page.at(-1);
    if (last === undefined) break; // nothing more on the exchange in this range
    inserted += await storeClosedBars(target.store, target.series, page, target.source);
    fetched += page.length;
    lastOpenTime = last.openTime;
    since = last.openTime + BAR_MS;
  }
  return { fetched, inserted, lastOpenTime };
}
