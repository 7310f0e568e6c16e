// The public market-data routes (time, exchange info, klines, funding-rate history, tickers, premium index):
// unsigned, read-only views of each symbol's replay, apart from the routes that trade. Without a `symbol`, the
// routes that allow it answer for every listed symbol, as Binance does.
import type { Bar } from '../domain/bars';
import { BinanceApiError, binanceErrors } from './binance-errors';
import { fixed, plain } from './decimal-format';
import { exchangeInfoResponse } from './exchange-info';
import { klineRow } from './kline-format';
import type { RequestParams } from './request-params';
import type { SymbolMarket } from './market-registry';
import { marketParam, marketsParam, type RestContext, type Route } from './rest-context';

const DAY_MS = 86_400_000;

/** startTime / endTime of a history query, checked as Binance does. */
function timeRange(params: RequestParams): { startTime?: number; endTime?: number } {
  const startTime = params.int('startTime');
  const endTime = params.int('endTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw new BinanceApiError(400, -1023, 'Start time is greater than end time.');
  }
  return { startTime, endTime };
}

function klines(params: RequestParams, ctx: RestContext): unknown {
  const market = marketParam(params, ctx);
  if (params.requiredString('interval') !== '1m') throw binanceErrors.invalidInterval();
  const limit = params.limit(500, 1500);
  // A short-page fault answers fewer rows than asked although more exist (a client must not take it as the end).
  const served = Math.min(limit, ctx.takeShortPage('/fapi/v1/klines') ?? limit);
  return market.replay.klines({ ...timeRange(params), limit: served }).map(klineRow);
}

/** GET /fapi/v1/fundingRate: settled fundings, Binance's default limit 100, maximum 1000, ascending. */
function fundingRate(params: RequestParams, ctx: RestContext): unknown {
  const { markets } = marketsParam(params, ctx);
  const limit = params.limit(100, 1000);
  const served = Math.min(limit, ctx.takeShortPage('/fapi/v1/fundingRate') ?? limit);
  const range = timeRange(params);
  const rows = markets
    .flatMap((m) =>
      m.funding.history({ ...range, limit: served }, ctx.serverTime()).map((f) => ({
        symbol: m.symbol,
        fundingRate: fixed(f.rate, 8),
        fundingTime: f.time,
        // Binance's older records carry an empty mark price.
        markPrice: f.markPrice == null ? '' : fixed(f.markPrice, 8),
      })),
    )
    .sort((a, b) => a.fundingTime - b.fundingTime);
  // Every symbol's page merged: the first `served` from startTime, else the latest.
  return range.startTime !== undefined ? rows.slice(0, served) : rows.slice(Math.max(0, rows.length - served));
}

/** One object for a `symbol`, else a list over every symbol (Binance's ticker and premium-index shapes). */
function perSymbol(params: RequestParams, ctx: RestContext, row: (market: SymbolMarket, now: number) => Record<string, unknown>): unknown {
  const { markets, one } = marketsParam(params, ctx);
  const now = ctx.serverTime();
  return one ? row(markets[0]!, now) : markets.map((m) => row(m, now));
}

function tickerPrice(params: RequestParams, ctx: RestContext): unknown {
  return perSymbol(params, ctx, (m, now) => ({ symbol: m.symbol, price: plain(m.replay.lastPrice()), time: now }));
}

function ticker24hr(params: RequestParams, ctx: RestContext): unknown {
  return perSymbol(params, ctx, ticker24hrRow);
}

function ticker24hrRow(m: SymbolMarket, now: number): Record<string, unknown> {
  const bars: Bar[] = m.replay.closedSince(now - DAY_MS);
  const last = m.replay.lastPrice();
  const open = bars[0]?.open ?? last;
  const volume = bars.reduce((v, b) => v + b.volume, 0);
  const quoteVolume = bars.reduce((v, b) => v + (b.volume * (b.high + b.low + b.close)) / 3, 0);
  return {
    symbol: m.symbol,
    priceChange: fixed(last - open, 2),
    priceChangePercent: fixed(((last - open) / open) * 100, 3),
    weightedAvgPrice: fixed(volume > 0 ? quoteVolume / volume : last, 2),
    lastPrice: plain(last),
    lastQty: m.spec.minQty,
    openPrice: plain(open),
    highPrice: plain(bars.reduce((h, b) => Math.max(h, b.high), last)),
    lowPrice: plain(bars.reduce((l, b) => Math.min(l, b.low), last)),
    volume: fixed(volume, 3),
    quoteVolume: fixed(quoteVolume, 2),
    openTime: bars[0]?.openTime ?? now,
    closeTime: now,
    firstId: 0,
    lastId: 0,
    count: 0,
  };
}

function premiumIndex(params: RequestParams, ctx: RestContext): unknown {
  return perSymbol(params, ctx, (m, now) => {
    const price = plain(m.replay.lastPrice());
    return {
      symbol: m.symbol,
      markPrice: price,
      indexPrice: price,
      estimatedSettlePrice: price,
      lastFundingRate: fixed(m.funding.lastSettled(now)?.rate ?? 0, 8),
      interestRate: '0.00010000',
      nextFundingTime: m.funding.nextTime(now),
      time: now,
    };
  });
}

export const MARKET_ROUTES: Readonly<Record<string, Route>> = {
  'GET /fapi/v1/ping': { signed: false, handle: () => ({}) },
  'GET /fapi/v1/time': { signed: false, handle: (_p, ctx) => ({ serverTime: ctx.serverTime() }) },
  'GET /fapi/v1/exchangeInfo': {
    signed: false,
    handle: (_p, ctx) =>
      exchangeInfoResponse(
        ctx.markets.list().map((m) => m.spec),
        ctx.serverTime(),
      ),
  },
  'GET /fapi/v1/klines': { signed: false, handle: klines },
  'GET /fapi/v1/fundingRate': { signed: false, handle: fundingRate },
  'GET /fapi/v1/ticker/price': { signed: false, handle: tickerPrice },
  'GET /fapi/v2/ticker/price': { signed: false, handle: tickerPrice },
  'GET /fapi/v1/ticker/24hr': { signed: false, handle: ticker24hr },
  'GET /fapi/v1/premiumIndex': { signed: false, handle: premiumIndex },
};
