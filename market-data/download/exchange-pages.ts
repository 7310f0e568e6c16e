/**
 * One page of history from the exchange through ccxt, checked at the boundary: klines (fetchOHLCV, GET
 * /fapi/v1/klines) as domain Bars, funding rates (fetchFundingRateHistory, GET /fapi/v1/fundingRate) with the mark
 * price Binance gives with each record (its `info.markPrice`; empty on old records).
 *
 * Page sizes: Binance serves up to 1500 klines (request weight 10) and 1000 funding rates per call, but ccxt
 * 4.5.84's binance fetchOHLCV clamps `limit` to 1000 and cuts its parsed rows to that, so 1000 (weight 5) is the
 * largest page fetchOHLCV can return; it is also the cheaper one per bar (200 bars per weight unit against 150).
 */
import { z } from 'zod';
import type { Bar } from '../../domain/bars';
import type { FundingRate } from '../../domain/trading/funding';
import { candleToBar } from '../../binance/candles';
import type { RestClient } from '../../binance/exchange-client';
import { KLINE_PAGE_LIMIT } from '../../binance/rest-backfill';

export const KLINE_PAGE_ROWS = KLINE_PAGE_LIMIT;
export const FUNDING_PAGE_ROWS = 1000;

/** Bars opening in [since, lastOpenTime], ascending and unique, at most one page. */
export async function fetchKlinePage(rest: RestClient, marketSymbol: string, since: number, lastOpenTime: number): Promise<Bar[]> {
  const candles = await rest.fetchOHLCV(marketSymbol, '1m', since, KLINE_PAGE_ROWS, { until: lastOpenTime });
  const page: Bar[] = [];
  for (const candle of candles) {
    const bar = candleToBar(candle, `${rest.id} fetchOHLCV`);
    // Inside the range and ascending, whatever the exchange sent (Binance also serves the bar in progress).
    if (bar.openTime < since || bar.openTime > lastOpenTime || (page.length > 0 && bar.openTime <= page.at(-1)!.openTime)) continue;
    page.push(bar);
  }
  return page;
}

const fundingRecord = z.object({
  timestamp: z.number().int(),
  fundingRate: z.number().finite(),
  info: z.object({ markPrice: z.union([z.string(), z.number()]).nullish() }),
});

function markPriceOf(raw: string | number | null | undefined): number | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`funding record with mark price ${JSON.stringify(raw)}: not a price`);
  return value;
}

/** Settled funding rates with a time in [since, lastTime], ascending and unique, at most one page. */
export async function fetchFundingPage(rest: RestClient, marketSymbol: string, since: number, lastTime: number): Promise<FundingRate[]> {
  const records: unknown = await rest.fetchFundingRateHistory(marketSymbol, since, FUNDING_PAGE_ROWS, { until: lastTime });
  const parsed = z.array(fundingRecord).safeParse(records);
  if (!parsed.success) throw new Error(`Unexpected funding-rate history from ${rest.id}: ${z.prettifyError(parsed.error)}`);
  const page: FundingRate[] = [];
  for (const r of parsed.data) {
    if (r.timestamp < since || r.timestamp > lastTime || (page.length > 0 && r.timestamp <= page.at(-1)!.time)) continue;
    page.push({ time: r.timestamp, rate: r.fundingRate, markPrice: markPriceOf(r.info.markPrice) });
  }
  return page;
}
