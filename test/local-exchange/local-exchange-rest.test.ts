/**
 * @jest-environment ./test/local-exchange/ccxt-environment.ts
 *
 * The real ccxt REST client (binanceusdm) against the local exchange, with only its URLs changed.
 */
import type { Bar } from '../../domain/bars';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { ccxtModule, makeBars, ohlcvOf, restClient, SYMBOL } from './fixtures';

const ccxt = ccxtModule();
const START = 20;
const FEE = 0.0004;

describe('local exchange with ccxt binanceusdm (REST)', () => {
  let bars: Bar[];
  let exchange: LocalExchange;
  let client: ReturnType<typeof restClient>;

  async function start(overrides: Parameters<typeof makeBars>[1] = {}) {
    bars = makeBars(40, overrides);
    exchange = await LocalExchange.start({ bars, startIndex: START });
    client = restClient(exchange);
    await client.loadMarkets();
  }

  afterEach(async () => {
    await client?.close();
    await exchange?.stop();
  });

  it('lists BTC/USDT:USDT with the exchange filters as precision and limits', async () => {
    await start();
    const market = client.market(SYMBOL);
    expect(market).toMatchObject({ id: 'BTCUSDT', type: 'swap', linear: true, settle: 'USDT', contract: true });
    expect(market.precision).toMatchObject({ amount: 0.001, price: 0.1 });
    expect(market.limits.amount?.min).toBe(0.001);
    expect(market.limits.cost?.min).toBe(100);
    expect(client.amountToPrecision(SYMBOL, 0.0129)).toBe('0.012');
  });

  it('tells the time of the replayed market, moving only when bars are replayed', async () => {
    await start();
    expect(await client.fetchTime()).toBe(bars[START]!.openTime);
    exchange.advance(3);
    expect(await client.fetchTime()).toBe(bars[START + 3]!.openTime);
  });

  it('serves exactly the bars replayed so far', async () => {
    await start();
    expect(await client.fetchOHLCV(SYMBOL, '1m', undefined, 5)).toEqual(bars.slice(START - 5, START).map(ohlcvOf));
    expect(await client.fetchOHLCV(SYMBOL, '1m', bars[3]!.openTime, 4)).toEqual(bars.slice(3, 7).map(ohlcvOf));
    // The bar in progress is not served until it closes.
    expect(await client.fetchOHLCV(SYMBOL, '1m', bars[START]!.openTime)).toEqual([]);
    exchange.advance(1);
    expect(await client.fetchOHLCV(SYMBOL, '1m', bars[START]!.openTime)).toEqual([ohlcvOf(bars[START]!)]);
  });

  it('fills a market order at the open of the bar in progress, finds it by client order id and refuses the id again', async () => {
    await start();
    const order = await client.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: 'bot-entry-1' });
    expect(order).toMatchObject({ status: 'closed', filled: 0.01, average: bars[START]!.open, clientOrderId: 'bot-entry-1' });

    const found = await client.fetchOrder('', SYMBOL, { clientOrderId: 'bot-entry-1' });
    expect(found).toMatchObject({ id: order.id, status: 'closed', side: 'buy', amount: 0.01 });

    const again = client.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: 'bot-entry-1' });
    await expect(again).rejects.toBeInstanceOf(ccxt.InvalidOrder);
    await expect(again).rejects.toThrow(/-4116/);
    await expect(client.fetchOrder('424242', SYMBOL)).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it('reports the position and the balance after the fill and its fee, then marks them to the market after the next bar', async () => {
    await start();
    const entry = bars[START]!.open;
    await client.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: 'entry' });
    const fee = 0.01 * entry * FEE;

    const [position] = await client.fetchPositions([SYMBOL]);
    expect(position).toMatchObject({ symbol: SYMBOL, side: 'long', contracts: 0.01, entryPrice: entry, unrealizedPnl: 0 });
    let balance = await client.fetchBalance();
    expect(balance.USDT?.total).toBeCloseTo(10_000 - fee, 6);
    expect(balance.USDT?.used).toBeCloseTo((0.01 * entry) / 20, 6);

    exchange.advance(1);
    const mark = bars[START + 1]!.open; // the price the market trades at once bar START has closed
    const [marked] = await client.fetchPositions([SYMBOL]);
    expect(marked?.unrealizedPnl).toBeCloseTo(0.01 * (mark - entry), 6);
    balance = await client.fetchBalance();
    expect(balance.USDT?.total).toBeCloseTo(10_000 - fee + 0.01 * (mark - entry), 6);
    const [trade] = await client.fetchMyTrades(SYMBOL);
    expect(trade?.fee?.cost).toBeCloseTo(fee, 8);
  });

  it('triggers a reduce-only stop on the bar that crosses it and expires the take-profit', async () => {
    // Bar START+2 dips to 19,700 (from about 20,000): through the stop at 19,800.
    await start({ [START + 2]: { low: 19_700 } });
    const entry = bars[START]!.open;
    await client.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: 'entry' });
    await client.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { stopLossPrice: 19_800, reduceOnly: true, clientOrderId: 'sl-1' });
    const tp = await client.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { takeProfitPrice: 20_600, reduceOnly: true, clientOrderId: 'tp-1' });
    expect(await client.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toHaveLength(2);

    exchange.advance(2);
    expect((await client.fetchPositions([SYMBOL]))[0]?.contracts).toBe(0.01);
    exchange.advance(1);

    expect(await client.fetchPositions([SYMBOL])).toEqual([]);
    const stopFill = await client.fetchOrder('', SYMBOL, { clientOrderId: 'sl-1' });
    expect(stopFill).toMatchObject({ status: 'closed', side: 'sell', average: 19_800, timestamp: bars[START + 2]!.openTime });
    expect((await client.fetchOrder('', SYMBOL, { clientOrderId: 'sl-1', trigger: true })).status).toBe('closed');
    expect((await client.fetchOrder(tp.id!, SYMBOL, { trigger: true })).status).toBe('expired');
    expect(await client.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toEqual([]);
    const balance = await client.fetchBalance();
    expect(balance.USDT?.total).toBeCloseTo(10_000 + 0.01 * (19_800 - entry) - 0.01 * entry * FEE - 0.01 * 19_800 * FEE, 6);
  });

  it('refuses a bad signature and an unknown API key as authentication errors', async () => {
    await start();
    const wrongSecret = restClient(exchange, { secret: 'not-the-secret' });
    const wrongKey = restClient(exchange, { apiKey: 'not-the-key' });
    try {
      await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
      await expect(wrongSecret.fetchBalance()).rejects.toThrow(/-1022/);
      await expect(wrongKey.fetchBalance()).rejects.toThrow(/-2015/);
      await expect(wrongKey.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    } finally {
      await wrongSecret.close();
      await wrongKey.close();
    }
  });
});
