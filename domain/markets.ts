/**
 * Which market a price series belongs to. The same symbol trades on several venues (BTCUSDT on Binance USD-M
 * futures and on Binance.US spot, the shipped data), with different prices: stored bars and funding rates are keyed
 * by (market, symbol), so series of different markets never mix or conflict.
 *
 * A market id is lower-case words joined by '-' (the database checks the same pattern).
 */

/** Binance USD-M perpetual futures: everything streamed, backfilled or downloaded from Binance or the local exchange. */
export const BINANCE_USDM = 'binance-usdm';
/** Binance.US spot: the shipped data set, and the default of `npm run import-bars`. */
export const BINANCEUS_SPOT = 'binanceus-spot';

/** The market the bot trades, streams and reads (market data, features, training, paper and live). */
export const LIVE_MARKET = BINANCE_USDM;

export const MARKET_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** One stored series: a symbol on a market. */
export interface SeriesKey {
  readonly market: string;
  readonly symbol: string;
}

/** The series the bot uses for `symbol`. */
export function liveSeries(symbol: string): SeriesKey {
  return { market: LIVE_MARKET, symbol };
}

/** Throws naming the id when it is not a valid market id. */
export function checkMarketId(market: string): string {
  if (!MARKET_ID_PATTERN.test(market)) {
    throw new Error(`market '${market}' is not a market id: lower-case letters and digits in words joined by '-', e.g. ${BINANCE_USDM}`);
  }
  return market;
}

/** 'binance-usdm BTCUSDT', for messages. */
export function describeSeries(series: SeriesKey): string {
  return `${series.market} ${series.symbol}`;
}
