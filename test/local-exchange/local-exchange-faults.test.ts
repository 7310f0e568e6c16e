/**
 * @jest-environment ./test/local-exchange/ccxt-environment.ts
 *
 * Injected faults as the real ccxt client sees them: Binance's HTTP statuses and error codes map to ccxt's
 * exception classes. Faults are armed through the API and through the admin HTTP endpoint.
 */
import { LocalExchange } from '../../local-exchange/local-exchange';
import { ccxtModule, makeBars, restClient, SYMBOL } from './fixtures';

const ccxt = ccxtModule();
const START = 10;

describe('local exchange faults seen through ccxt', () => {
  const bars = makeBars(30);
  let exchange: LocalExchange;
  let client: ReturnType<typeof restClient>;

  beforeEach(async () => {
    exchange = await LocalExchange.start({ bars, startIndex: START });
    client = restClient(exchange);
    await client.loadMarkets();
  });

  afterEach(async () => {
    await client.close();
    await exchange.stop();
  });

  it('answers 429 to the calls told to fail: ccxt raises DDoSProtection, later calls pass', async () => {
    exchange.failRequests({ status: 429, count: 1, pathPrefix: '/fapi/v1/time' });
    // Another path is not affected.
    await expect(client.fetchOHLCV(SYMBOL, '1m', undefined, 1)).resolves.toHaveLength(1);
    await expect(client.fetchTime()).rejects.toBeInstanceOf(ccxt.DDoSProtection);
    await expect(client.fetchTime()).resolves.toBe(bars[START]!.openTime);
  });

  it('answers 503: ccxt raises ExchangeNotAvailable', async () => {
    exchange.failRequests({ status: 503, count: 2 });
    await expect(client.fetchTime()).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    await expect(client.fetchBalance()).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    await expect(client.fetchTime()).resolves.toBe(bars[START]!.openTime);
  });

  it('rejects the next order as margin-insufficient (InsufficientFunds); the client order id stays usable', async () => {
    exchange.rejectNextOrders({ count: 1 });
    const rejected = client.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: 'retry-me' });
    await expect(rejected).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    await expect(rejected).rejects.toThrow(/-2019/);
    const order = await client.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: 'retry-me' });
    expect(order.status).toBe('closed');
  });

  it('delays answers by the configured latency', async () => {
    exchange.setLatency(150);
    const started = Date.now();
    await client.fetchTime();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('takes faults and replay steps from the admin endpoint', async () => {
    const admin = (path: string, body: unknown) =>
      fetch(`${exchange.baseUrl}/__admin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await admin('faults', { kind: 'rest', status: 503, count: 1 })).status).toBe(200);
    await expect(client.fetchTime()).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);

    const advanced = (await (await admin('advance', { bars: 2 })).json()) as { released: number[]; serverTime: number };
    expect(advanced.released).toEqual([bars[START]!.openTime, bars[START + 1]!.openTime]);
    expect(await client.fetchTime()).toBe(bars[START + 2]!.openTime);

    const invalid = await admin('faults', { kind: 'rest', status: 404, count: 1 });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toMatch(/status/);
  });
});
