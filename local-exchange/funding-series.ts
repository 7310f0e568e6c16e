/**
 * The funding-rate history the local exchange serves (GET /fapi/v1/fundingRate, the premium index's last rate and
 * next funding time): the series given to it (LocalExchangeOptions.funding), or, without one, a seeded SYNTHETIC
 * 8-hourly series over the replayed bars (Binance's BTCUSDT schedule: 00:00, 08:00, 16:00 UTC), labelled as such.
 * Only fundings whose time has passed on the replay clock are settled, hence served.
 */
import { BAR_MS, type Bar } from '../domain/bars';
import { mulberry32, normalSource } from '../domain/seeded-random';
import type { FundingRate } from '../domain/trading/funding';

export const FUNDING_INTERVAL_MS = 8 * 3_600_000;
/** The seed of the synthetic series (the same bars always give the same rates). */
export const SYNTHETIC_FUNDING_SEED = 8;

export interface FundingQuery {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

export class FundingSeries {
  private constructor(
    private readonly rates: readonly FundingRate[],
    /** 'given' (the options' series) or 'synthetic' (generated here). */
    readonly origin: 'given' | 'synthetic',
  ) {}

  static given(rates: readonly FundingRate[]): FundingSeries {
    rates.forEach((f, i) => {
      if (!Number.isInteger(f.time) || !Number.isFinite(f.rate) || (f.markPrice != null && !(f.markPrice > 0))) {
        throw new Error(`funding[${i}] is not a funding record (integer time, finite rate, mark price > 0 or none): ${JSON.stringify(f)}`);
      }
      if (i > 0 && f.time <= rates[i - 1]!.time) throw new Error(`funding[${i}] (${f.time}) is not after funding[${i - 1}] (${rates[i - 1]!.time})`);
    });
    return new FundingSeries(rates.slice(), 'given');
  }

  /**
   * SYNTHETIC rates: around 0.01 % (Binance's usual 8-hour rate), with noise and some negative periods; the mark
   * price is the open of the bar opening at the funding time (the last close before it in a gap) with a small premium.
   */
  static synthetic(bars: readonly Bar[], seed = SYNTHETIC_FUNDING_SEED): FundingSeries {
    const normal = normalSource(mulberry32(seed));
    const rates: FundingRate[] = [];
    if (bars.length === 0) return new FundingSeries(rates, 'synthetic');
    const end = bars[bars.length - 1]!.openTime + BAR_MS;
    let i = 0;
    let drift = 0;
    for (let t = Math.ceil(bars[0]!.openTime / FUNDING_INTERVAL_MS) * FUNDING_INTERVAL_MS; t < end; t += FUNDING_INTERVAL_MS) {
      while (i + 1 < bars.length && bars[i + 1]!.openTime <= t) i++;
      const bar = bars[i]!;
      const price = bar.openTime === t ? bar.open : bar.close;
      drift = 0.8 * drift + 0.00004 * normal();
      const rate = Math.round((0.0001 + drift) * 1e8) / 1e8;
      rates.push({ time: t, rate, markPrice: Math.round(price * (1 + rate) * 1e8) / 1e8 });
    }
    return new FundingSeries(rates, 'synthetic');
  }

  get length(): number {
    return this.rates.length;
  }

  /**
   * Settled fundings as Binance's /fapi/v1/fundingRate selects them: from `startTime` forward (at most `limit`,
   * up to `endTime`), else the latest `limit` up to `endTime` (or now). Ascending.
   */
  history(query: FundingQuery, now: number): FundingRate[] {
    const end = Math.min(query.endTime ?? Number.POSITIVE_INFINITY, now);
    const settled = this.rates.filter((f) => f.time <= end);
    if (query.startTime !== undefined) {
      const start = query.startTime;
      return settled.filter((f) => f.time >= start).slice(0, query.limit);
    }
    return settled.slice(Math.max(0, settled.length - query.limit));
  }

  /** The last settled funding at `now`, if any. */
  lastSettled(now: number): FundingRate | undefined {
    return this.history({ limit: 1 }, now)[0];
  }

  /** The next funding time after `now`: the series' own when it has one, else Binance's 8-hour schedule. */
  nextTime(now: number): number {
    return this.rates.find((f) => f.time > now)?.time ?? (Math.floor(now / FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS;
  }
}
