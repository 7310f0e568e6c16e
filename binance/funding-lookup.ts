/**
 * The settled funding of a minute, for paper trading (strategy.md "Funding": the rate settled at that time in the
 * exchange's funding-rate history, with its mark price). Asks the exchange rarely: a record found, or the premium
 * index's next funding time when none is settled yet, tells which later minutes have no funding, so between two
 * funding times (8 h on BTCUSDT) a bot makes about two requests.
 */
import { z } from 'zod';
import { fundingMinute, type FundingRate } from '../domain/trading';
import type { RestClient } from './exchange-client';
import { parseExchangeData } from './exchange-replies';

const historySchema = z.array(z.object({ timestamp: z.number(), fundingRate: z.number(), info: z.object({ markPrice: z.string().nullish() }).passthrough() }));
// ccxt puts Binance's nextFundingTime (the next funding to settle) in fundingTimestamp.
const premiumSchema = z.object({ fundingTimestamp: z.number().nullish() });

export class FundingLookup {
  /** No funding in [from, until) except `at` (the record found at `until`, when there is one). */
  private known: { from: number; until: number; at: FundingRate | null } | null = null;

  constructor(
    private readonly rest: RestClient,
    /** ccxt's unified symbol, e.g. BTC/USDT:USDT. */
    private readonly market: string,
  ) {}

  /** The funding at the minute opening at `openTime`, or null when there is none. */
  async at(openTime: number): Promise<FundingRate | null> {
    const k = this.known;
    if (k !== null && openTime >= k.from && openTime <= k.until) {
      if (openTime < k.until) return null;
      if (k.at !== null) return k.at;
    }
    const records = parseExchangeData(historySchema, await this.rest.fetchFundingRateHistory(this.market, openTime, 1), 'funding-rate history');
    const next = records.find((r) => fundingMinute(r.timestamp) >= openTime);
    if (next !== undefined) {
      const mark = next.info.markPrice === undefined || next.info.markPrice === null || next.info.markPrice === '' ? null : Number(next.info.markPrice);
      const rate: FundingRate = { time: next.timestamp, rate: next.fundingRate, markPrice: mark !== null && Number.isFinite(mark) && mark > 0 ? mark : null };
      this.known = { from: openTime, until: fundingMinute(next.timestamp), at: rate };
      return fundingMinute(next.timestamp) === openTime ? rate : null;
    }
    // Nothing settled at or after this minute yet: none can be before the next funding time.
    const premium = parseExchangeData(premiumSchema, await this.rest.fetchFundingRate(this.market), 'premium index');
    const nextTime = premium.fundingTimestamp;
    if (typeof nextTime === 'number' && fundingMinute(nextTime) > openTime) this.known = { from: openTime, until: fundingMinute(nextTime), at: null };
    return null;
  }
}
