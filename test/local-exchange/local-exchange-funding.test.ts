/**
 * @jest-environment ./test/local-exchange/ccxt-environment.ts
 *
 * The local exchange's funding-rate history (GET /fapi/v1/fundingRate, Binance's shapes and limits), its settable
 * position mode (positionSide/dual) and the short-page fault, through raw HTTP and the real ccxt client.
 */
import { BAR_MS } from '../../domain/bars';
import type { FundingRate } from '../../domain/trading/funding';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { ccxtModule, makeBars, restClient, SYMBOL, T0 } from './fixtures';

const ccxt = ccxtModule();
const bars = makeBars(4_000);
const START = 3_000; // the clock: T0 + 3000 min
/** A funding every 10 minutes (denser than Binance's, to exceed the page limits), each with a mark price. */
const funding: FundingRate[] = Array.from({ length: 400 }, (_, k) => ({ time: T0 + k * 10 * BAR_MS, rate: ((k % 7) - 2) / 1e6, markPrice: 20_000 + k }));
const settled = funding.filter((f) => f.time <= T0 + START * BAR_MS); // 301 records

describe('local exchange funding rates, position mode and short pages', () => {
  let exchange: LocalExchange;
  let client: ReturnType<typeof restClient>;

  beforeEach(async () => {
    exchange = await LocalExchange.start({ bars, startIndex: START, funding });
    client = restClient(exchange);
    await client.loadMarkets();
  });

  afterEach(async () => {
    await client.close();
    await exchange.stop();
  });

  const get = async (query: string) => {
    const res = await fetch(`${exchange.baseUrl}/fapi/v1/fundingRate?${query}`);
    const body: unknown = await res.json();
    return { status: res.status, body };
  };

  it("answers Binance's shape: string rate and mark price, ms time; settled records only", async () => {
    const { body } = await get(`symbol=BTCUSDT&startTime=${T0}&limit=2`);
    expect(body).toEqual([
      { symbol: 'BTCUSDT', fundingRate: '-0.00000200', fundingTime: T0, markPrice: '20000.00000000' },
      { symbol: 'BTCUSDT', fundingRate: '-0.00000100', fundingTime: T0 + 10 * BAR_MS, markPrice: '20001.00000000' },
    ]);
    const all = (await get(`startTime=${T0}&limit=1000`)).body as unknown[];
    expect(all).toHaveLength(settled.length);
  });

  it('limit: default 100, at most 1000; without times the latest; startTime / endTime select a window', async () => {
    const latest = (await get('symbol=BTCUSDT')).body as { fundingTime: number }[];
    expect(latest.map((r) => r.fundingTime)).toEqual(settled.slice(-100).map((f) => f.time));
    expect(await get('symbol=BTCUSDT&limit=1001')).toEqual({ status: 400, body: { code: -1130, msg: "Data sent for parameter 'limit' is not valid." } });
    const window = (await get(`symbol=BTCUSDT&startTime=${T0 + 25 * BAR_MS}&endTime=${T0 + 60 * BAR_MS}`)).body as { fundingTime: number }[];
    expect(window.map((r) => r.fundingTime)).toEqual([30, 40, 50, 60].map((m) => T0 + m * BAR_MS));
    expect((await get(`symbol=ETHUSDT`)).body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('ccxt fetchFundingRateHistory reads it, with the mark price in info; the premium index shows the last rate', async () => {
    const history = await client.fetchFundingRateHistory(SYMBOL, T0, 3);
    expect(history.map((h) => [h.timestamp, h.fundingRate, (h.info as { markPrice: string }).markPrice])).toEqual(
      funding.slice(0, 3).map((f) => [f.time, f.rate, f.markPrice!.toFixed(8)]),
    );
    const current = await client.fetchFundingRate(SYMBOL);
    expect(current.fundingRate).toBe(settled.at(-1)!.rate);
    expect(current.fundingTimestamp).toBe(funding[settled.length]!.time);
  });

  it('serves short pages when told to (API and admin endpoint), then full ones again', async () => {
    exchange.shortenPages({ count: 1, rows: 3 });
    expect(await client.fetchOHLCV(SYMBOL, '1m', T0, 1000)).toHaveLength(3);
    expect(await client.fetchOHLCV(SYMBOL, '1m', T0, 1000)).toHaveLength(1000);
    const armed = await fetch(`${exchange.baseUrl}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'short-page', count: 1, rows: 5, pathPrefix: '/fapi/v1/fundingRate' }),
    });
    expect(armed.status).toBe(200);
    expect((await get(`startTime=${T0}&limit=50`)).body).toHaveLength(5);
    expect((await get(`startTime=${T0}&limit=50`)).body).toHaveLength(50);
  });

  it('switches between one-way and hedge mode as Binance does; one-way orders work, hedge orders are refused', async () => {
    expect(await client.fetchPositionMode(SYMBOL)).toMatchObject({ hedged: false });
    await expect(client.setPositionMode(false, SYMBOL)).rejects.toThrow(/-4059/);
    await client.setPositionMode(true, SYMBOL);
    expect(await client.fetchPositionMode(SYMBOL)).toMatchObject({ hedged: true });
    expect(exchange.state()).toMatchObject({ dualSidePosition: true });
    await expect(client.createOrder(SYMBOL, 'market', 'buy', 0.01)).rejects.toThrow(/-4061/);
    await expect(client.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { positionSide: 'LONG' })).rejects.toThrow(/not simulated/);

    await client.setPositionMode(false, SYMBOL);
    await client.createOrder(SYMBOL, 'market', 'buy', 0.01);
    // With a position open the mode cannot change.
    await expect(client.setPositionMode(true, SYMBOL)).rejects.toBeInstanceOf(ccxt.ExchangeError);
    await expect(client.setPositionMode(true, SYMBOL)).rejects.toThrow(/-4068/);
    expect(await client.fetchPositionMode(SYMBOL)).toMatchObject({ hedged: false });
  });
});
