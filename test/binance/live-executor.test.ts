/**
 * Live execution through the real ccxt binanceusdm client against the local exchange (manual replay), with a
 * proxy in between that can lose answers: the order reaches the exchange, the client sees a 503 or a timeout.
 */
import ccxt from 'ccxt';
import { clientOrderId } from '../../domain/client-order-id';
import { configureCcxtForLocal } from '../../local-exchange/ccxt-config';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { isRetryableExchangeError, LiveExecutor, OrderOutcomeUnknownError, OrderRejectedError } from '../../binance/live-executor';
import { makeBars, SYMBOL } from '../local-exchange/fixtures';
import { LossyProxy } from './lossy-proxy';

const START = 10;
const RECV_WINDOW = 300;
const CLOCK_MARGIN = 100;
const TAKER_FEE = 0.0004;
const NOT_FOUND = JSON.stringify({ code: -2013, msg: 'Order does not exist.' });

// Bar START + 1 crashes through a 1 % stop of a long opened at the close of bar START - 1.
const bars = makeBars(START + 5, { [START + 1]: { open: 20_001, high: 20_005, low: 19_700, close: 19_750 } });

describe('LiveExecutor against the local exchange', () => {
  let server: LocalExchange;
  let proxy: LossyProxy;
  let client: InstanceType<typeof ccxt.binanceusdm>;
  let executor: LiveExecutor;
  let bar = 0;
  // A fresh decision id per call, like a bot deciding at successive bars.
  const nextId = (purpose: 'open' | 'close' | 'sl' | 'tp' = 'open') =>
    clientOrderId({ workflowId: 'bot-test', barOpenTime: bars[0]!.openTime + 60_000 * bar++, purpose });
  const forwardedOrders = () => proxy.forwardedCount('POST', '/fapi/v1/order');

  beforeEach(async () => {
    server = await LocalExchange.start({ bars, startIndex: START });
    proxy = await LossyProxy.start(server.baseUrl);
    client = configureCcxtForLocal(new ccxt.binanceusdm({ apiKey: server.apiKey, secret: server.apiSecret, enableRateLimit: false }), proxy.baseUrl);
    executor = new LiveExecutor(client, 'BTCUSDT', { recvWindow: RECV_WINDOW, clockMarginMs: CLOCK_MARGIN });
    await executor.loadFilters();
  });

  afterEach(async () => {
    await client.close();
    await proxy.stop();
    await server.stop();
  });

  it("loads the instrument's filters, rounds down to the step and refuses orders below the minimum notional", async () => {
    expect(await executor.loadFilters()).toEqual({ qtyStep: 0.001, minQty: 0.001, minNotional: 100, tickSize: 0.1 });
    expect(executor.roundQty(0.0129)).toBe(0.012);
    expect(executor.roundQty(0.7)).toBe(0.7); // 0.7 / 0.001 = 699.9999999999999 in floats
    expect(executor.roundQty(1.001)).toBe(1.001);
    expect(executor.roundQty(0.0049999)).toBe(0.004);
    expect(executor.roundPrice(19_800.04)).toBe(19_800);
    expect(() => executor.checkNotional(0.004, 20_000)).toThrow(OrderRejectedError);
    expect(() => executor.checkNotional(0.004, 20_000)).toThrow(/notional 80\.00 \(qty 0\.004 x price 20000\) is below BTCUSDT's minimum notional of 100/);
    expect(() => executor.checkNotional(0.005, 20_000)).not.toThrow();

    const lastPrice = server.lastPrice();
    const tooSmall = executor.placeMarketOrder({ side: 'buy', qty: 0.0049, reduceOnly: false, clientOrderId: nextId() });
    await expect(tooSmall).rejects.toThrow(new RegExp(`notional ${(0.004 * lastPrice).toFixed(2)} \\(qty 0.004 x price ${lastPrice}\\)`));
    await expect(executor.placeMarketOrder({ side: 'buy', qty: 0.0009, reduceOnly: false, clientOrderId: nextId() })).rejects.toThrow(
      /qty 0.0009 rounds down \(step 0.001\) to 0, below BTCUSDT's minimum quantity of 0.001/,
    );
    expect(forwardedOrders()).toBe(0);
    expect(server.account().positionSteps).toBe(0);

    await expect(new LiveExecutor(client, 'ETHUSDT').loadFilters()).rejects.toThrow(
      /Symbol ETHUSDT is not a USD-M perpetual on binanceusdm \(1 loaded: BTCUSDT\)/,
    );
  });

  it('fills a market order once: placing it again with the same client id returns the same order', async () => {
    const id = nextId();
    const price = server.lastPrice();
    const first = await executor.placeMarketOrder({ side: 'buy', qty: 0.0105, reduceOnly: false, clientOrderId: id });
    expect(first).toMatchObject({
      clientOrderId: id,
      status: 'closed',
      side: 'buy',
      type: 'MARKET',
      reduceOnly: false,
      filledQty: 0.01,
      avgPrice: price,
      feeAsset: 'USDT',
    });
    expect(first.fee).toBeCloseTo(0.01 * price * TAKER_FEE, 8);
    expect(first.time).toBe(server.serverTime());

    const retried = await executor.placeMarketOrder({ side: 'buy', qty: 0.0105, reduceOnly: false, clientOrderId: id });
    expect(retried).toEqual(first);
    expect(forwardedOrders()).toBe(1);
    expect(await executor.fetchPosition()).toEqual({ side: 'LONG', qty: 0.01, entryPrice: price });

    // Closing: reduce-only is exempt from the minimum notional.
    server.advance(1);
    const close = await executor.placeMarketOrder({ side: 'sell', qty: 0.01, reduceOnly: true, clientOrderId: nextId('close') });
    expect(close).toMatchObject({ status: 'closed', reduceOnly: true, filledQty: 0.01, avgPrice: server.lastPrice() });
    expect(await executor.fetchPosition()).toEqual({ side: null, qty: 0, entryPrice: null });
  });

  it('after a 503 to an order the exchange executed, waits out recvWindow, finds the order and does not send it again', async () => {
    proxy.loseAnswers({ method: 'POST', path: '/fapi/v1/order', answer: 503 });
    const started = Date.now();
    const report = await executor.placeMarketOrder({ side: 'buy', qty: 0.01, reduceOnly: false, clientOrderId: nextId() });
    expect(Date.now() - started).toBeGreaterThanOrEqual(RECV_WINDOW + CLOCK_MARGIN - 20);
    expect(report).toMatchObject({ status: 'closed', filledQty: 0.01 });
    expect(forwardedOrders()).toBe(1);
    expect((await executor.fetchPosition()).qty).toBe(0.01);
  });

  it('after a ccxt timeout while the exchange still executes the order, finds it instead of sending a second one', async () => {
    client.timeout = 250;
    proxy.loseAnswers({ method: 'POST', path: '/fapi/v1/order', answer: 'hang' });
    const report = await executor.placeMarketOrder({ side: 'sell', qty: 0.012, reduceOnly: false, clientOrderId: nextId() });
    expect(report).toMatchObject({ status: 'closed', side: 'sell', filledQty: 0.012 });
    expect(forwardedOrders()).toBe(1);
    expect(await executor.fetchPosition()).toMatchObject({ side: 'SHORT', qty: 0.012 });
  });

  it('reads an accepted order back when its answer is unreadable', async () => {
    proxy.loseAnswers({ method: 'POST', path: '/fapi/v1/order', answer: 'empty' });
    const report = await executor.placeMarketOrder({ side: 'buy', qty: 0.01, reduceOnly: false, clientOrderId: nextId() });
    expect(report).toMatchObject({ status: 'closed', filledQty: 0.01, avgPrice: server.lastPrice() });
    expect(forwardedOrders()).toBe(1);
  });

  it('when the outcome stays unknown, fails retryably; the retried call returns the order without trading twice', async () => {
    const id = nextId();
    proxy.loseAnswers({ method: 'POST', path: '/fapi/v1/order', answer: 503 });
    // The lookup before sending passes; the one after the lost answer fails too.
    proxy.fakeAnswers({ method: 'GET', path: '/fapi/v1/order', skip: 1, status: 503, body: 'Service Unavailable.' });
    const attempt1 = executor.placeMarketOrder({ side: 'buy', qty: 0.01, reduceOnly: false, clientOrderId: id });
    await expect(attempt1).rejects.toThrow(OrderOutcomeUnknownError);
    await expect(attempt1).rejects.toThrow(/answer to sending it was lost .*looking it up failed/);
    await attempt1.catch((err: unknown) => expect(isRetryableExchangeError(err)).toBe(true));
    expect(server.account().positionSteps).toBe(10); // the order did execute

    const attempt2 = await executor.placeMarketOrder({ side: 'buy', qty: 0.01, reduceOnly: false, clientOrderId: id });
    expect(attempt2).toMatchObject({ clientOrderId: id, status: 'closed', filledQty: 0.01 });
    expect(forwardedOrders()).toBe(1);
    expect((await executor.fetchPosition()).qty).toBe(0.01);
  });

  it('sends an order again when the exchange refused it before executing (a 503 from the exchange itself)', async () => {
    server.failRequests({ status: 503, count: 1, pathPrefix: '/fapi/v1/order', method: 'POST' });
    const report = await executor.placeMarketOrder({ side: 'buy', qty: 0.01, reduceOnly: false, clientOrderId: nextId() });
    expect(report).toMatchObject({ status: 'closed', filledQty: 0.01 });
    expect(forwardedOrders()).toBe(2);
    expect((await executor.fetchPosition()).qty).toBe(0.01);
  });

  it('answers -4116 (duplicate client id) with the existing order; an id taken by another kind of order is refused', async () => {
    const id = nextId();
    await client.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: id });
    // The lookup misses the order (it landed between lookup and send): the send gets -4116.
    proxy.fakeAnswers({ method: 'GET', path: '/fapi/v1/order', status: 400, body: NOT_FOUND });
    const report = await executor.placeMarketOrder({ side: 'buy', qty: 0.01, reduceOnly: false, clientOrderId: id });
    expect(report).toMatchObject({ clientOrderId: id, status: 'closed', filledQty: 0.01 });
    expect(forwardedOrders()).toBe(2);
    expect((await executor.fetchPosition()).qty).toBe(0.01);

    const stopId = nextId('sl');
    await client.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { stopLossPrice: 19_000, reduceOnly: true, clientOrderId: stopId });
    await expect(executor.placeMarketOrder({ side: 'sell', qty: 0.01, reduceOnly: true, clientOrderId: stopId })).rejects.toThrow(
      new RegExp(`Client order id ${stopId} is already used by another order`),
    );
  });

  it('classifies exchange errors into retryable and not', async () => {
    for (const Retryable of [ccxt.NetworkError, ccxt.RequestTimeout, ccxt.ExchangeNotAvailable, ccxt.DDoSProtection, ccxt.RateLimitExceeded]) {
      expect(isRetryableExchangeError(new Retryable('x'))).toBe(true);
    }
    for (const Final of [ccxt.InsufficientFunds, ccxt.InvalidOrder, ccxt.AuthenticationError, ccxt.BadSymbol, ccxt.OrderNotFound]) {
      expect(isRetryableExchangeError(new Final('x'))).toBe(false);
    }
    expect(isRetryableExchangeError(new OrderRejectedError('x'))).toBe(false);
    expect(isRetryableExchangeError(new OrderOutcomeUnknownError('x'))).toBe(true);
    expect(isRetryableExchangeError(new TypeError('bug'))).toBe(false);

    server.rejectNextOrders({ count: 1 });
    const refused = executor.placeMarketOrder({ side: 'buy', qty: 0.01, reduceOnly: false, clientOrderId: nextId() });
    await expect(refused).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    await refused.catch((err: unknown) => expect(isRetryableExchangeError(err)).toBe(false));
    expect(forwardedOrders()).toBe(1);
  });

  it('keeps reduce-only stop and take-profit orders on the exchange; a bar through the stop fills it', async () => {
    const entry = await executor.placeMarketOrder({ side: 'buy', qty: 0.01, reduceOnly: false, clientOrderId: nextId() });
    const ids = { sl: nextId('sl'), tp: nextId('tp') };
    const stopPrice = entry.avgPrice! * 0.99;
    const takeProfitPrice = entry.avgPrice! * 1.03;
    const placed = await executor.placeProtectiveOrders({ positionSide: 'LONG', qty: 0.01, stopPrice, takeProfitPrice, clientOrderIds: ids });
    expect(placed.stopLoss).toMatchObject({ clientOrderId: ids.sl, status: 'open', side: 'sell', type: 'STOP_MARKET', reduceOnly: true, qty: 0.01 });
    expect(placed.stopLoss.triggerPrice).toBe(Math.round(stopPrice * 10) / 10);
    expect(placed.takeProfit).toMatchObject({ clientOrderId: ids.tp, status: 'open', side: 'sell', type: 'TAKE_PROFIT_MARKET', reduceOnly: true });
    expect(placed.takeProfit.triggerPrice).toBe(Math.round(takeProfitPrice * 10) / 10);

    const open = await client.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true });
    expect(open.map((o) => [o.clientOrderId, (o.info as Record<string, unknown>)['orderType'], o.reduceOnly]).sort()).toEqual(
      [
        [ids.sl, 'STOP_MARKET', true],
        [ids.tp, 'TAKE_PROFIT_MARKET', true],
      ].sort(),
    );
    // A retry of the activity finds both and places nothing new.
    const again = await executor.placeProtectiveOrders({ positionSide: 'LONG', qty: 0.01, stopPrice, takeProfitPrice, clientOrderIds: ids });
    expect([again.stopLoss.exchangeOrderId, again.takeProfit.exchangeOrderId]).toEqual([placed.stopLoss.exchangeOrderId, placed.takeProfit.exchangeOrderId]);
    expect(await client.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toHaveLength(2);

    expect(await executor.protectiveFill(ids)).toBeNull();
    server.advance(1); // a calm bar
    expect(await executor.protectiveFill(ids)).toBeNull();
    server.advance(1); // the crash bar: opens above the stop, trades through it
    const fill = await executor.protectiveFill(ids);
    const stop = placed.stopLoss.triggerPrice!;
    expect(fill).toMatchObject({ purpose: 'sl', clientOrderId: ids.sl, status: 'closed', side: 'sell', type: 'STOP_MARKET', filledQty: 0.01, avgPrice: stop });
    expect(fill!.fee).toBeCloseTo(0.01 * stop * TAKER_FEE, 8);
    expect(fill!.time).toBe(bars[START + 1]!.openTime);
    expect(await executor.fetchPosition()).toEqual({ side: null, qty: 0, entryPrice: null });

    // The take-profit expired with the position; cancelling is a no-op, twice.
    expect((await client.fetchOrder('', SYMBOL, { clientOrderId: ids.tp, trigger: true })).status).toBe('expired');
    expect(await executor.cancelProtectiveOrders(ids)).toEqual({ canceled: [], alreadyGone: [ids.sl, ids.tp] });
    expect(await executor.cancelProtectiveOrders(ids)).toEqual({ canceled: [], alreadyGone: [ids.sl, ids.tp] });
    expect(await executor.protectiveFill(ids)).toMatchObject({ purpose: 'sl', exchangeOrderId: fill!.exchangeOrderId });
  });

  it('cancels open protective orders idempotently and checks the prices of a short', async () => {
    const entry = await executor.placeMarketOrder({ side: 'sell', qty: 0.01, reduceOnly: false, clientOrderId: nextId() });
    const ids = { sl: nextId('sl'), tp: nextId('tp') };
    const wrongWay = {
      positionSide: 'SHORT' as const,
      qty: 0.01,
      stopPrice: entry.avgPrice! * 0.99,
      takeProfitPrice: entry.avgPrice! * 1.03,
      clientOrderIds: ids,
    };
    await expect(executor.placeProtectiveOrders(wrongWay)).rejects.toThrow(/SHORT position need the stop above the take-profit/);

    const placed = await executor.placeProtectiveOrders({ ...wrongWay, stopPrice: entry.avgPrice! * 1.01, takeProfitPrice: entry.avgPrice! * 0.97 });
    expect([placed.stopLoss.side, placed.takeProfit.side]).toEqual(['buy', 'buy']);
    expect(await executor.cancelProtectiveOrders(ids)).toEqual({ canceled: [ids.sl, ids.tp], alreadyGone: [] });
    expect(await executor.cancelProtectiveOrders(ids)).toEqual({ canceled: [], alreadyGone: [ids.sl, ids.tp] });
    expect(await client.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toHaveLength(0);
    // Never placed: gone as well.
    expect(await executor.cancelProtectiveOrders({ sl: nextId('sl'), tp: nextId('tp') })).toMatchObject({ canceled: [] });
    expect(await executor.protectiveFill(ids)).toBeNull();
    expect((await executor.fetchPosition()).side).toBe('SHORT');
  });

  it('reports equity as wallet plus unrealised PnL', async () => {
    expect(await executor.fetchEquity()).toBe(10_000);
    const entry = await executor.placeMarketOrder({ side: 'buy', qty: 0.02, reduceOnly: false, clientOrderId: nextId() });
    server.advance(2);
    const expected = 10_000 - entry.fee + 0.02 * (server.lastPrice() - entry.avgPrice!);
    expect(await executor.fetchEquity()).toBeCloseTo(expected, 6);
    expect(await executor.fetchEquity()).toBeCloseTo(server.account().marginBalance, 6);
  });
});
