/**
 * The paper bot's funding lookup against the local exchange with the real ccxt client: the funding settled in a
 * bar's minute (rate and mark price, a few milliseconds past the minute as Binance records it), none in the minutes
 * between, and few requests while the replay runs on.
 */
import { createRestClient } from '../../binance/exchange-client';
import { FundingLookup } from '../../binance/funding-lookup';
import { BAR_MS } from '../../domain/bars';
import type { FundingRate } from '../../domain/trading';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { loadShippedBars } from '../helpers/shipped-data';

const bars = loadShippedBars();
const START = 4_320;
const t = (i: number) => bars[i]!.openTime;
// Hourly here (Binance's BTCUSDT: 8-hourly), the first one 3 bars after the replay's start.
const funding: FundingRate[] = [0, 1, 2].map((k) => ({ time: t(START + 3 + 60 * k) + 7, rate: (k - 1) * 1e-4, markPrice: 22_000 + k }));

test('finds the settled funding of a minute and knows the minutes between carry none', async () => {
  const exchange = await LocalExchange.start({ bars, startIndex: START, speed: 0, port: 0, funding });
  const settings = { kind: 'local' as const, baseUrl: exchange.baseUrl };
  const rest = createRestClient(settings, null);
  const requests: string[] = [];
  const fetch = rest.fetch.bind(rest);
  rest.fetch = (url: string, ...rest: unknown[]) => {
    requests.push(url);
    return (fetch as (u: string, ...r: unknown[]) => Promise<unknown>)(url, ...rest);
  };
  try {
    await rest.loadMarkets();
    const lookup = new FundingLookup(rest, 'BTC/USDT:USDT');
    const seen: (FundingRate | null)[] = [];
    for (let i = START; i < START + 70; i++) {
      exchange.advance(1); // bar i closes: the bot asks about it
      seen.push(await lookup.at(t(i)));
    }
    const paid = seen.flatMap((f, i) => (f === null ? [] : [{ bar: START + i, ...f }]));
    expect(paid).toEqual([
      { bar: START + 3, time: funding[0]!.time, rate: -1e-4, markPrice: 22_000 },
      { bar: START + 63, time: funding[1]!.time, rate: 0, markPrice: 22_001 },
    ]);
    // 70 bars: a handful of requests, not one per bar.
    expect(requests.filter((u) => u.includes('fundingRate') || u.includes('premiumIndex')).length).toBeLessThanOrEqual(8);
    expect(t(START + 63) - t(START + 3)).toBe(60 * BAR_MS);
  } finally {
    await rest.close();
    await exchange.stop();
  }
});
