/**
 * The shared WebSocket client of a worker's kline streams (binance/shared-stream.ts) and the per-client kline
 * event dispatcher (binance/kline-events.ts): first against a fake client (refcount, which socket a reset drops,
 * listeners removed in any order), then with real ccxt against a local exchange listing twelve symbols.
 */
import { BAR_MS } from '../../domain/bars';
import type { ExchangeSettings } from '../../domain/exchange-settings';
import { createStreamClient, marketSymbol, type StreamClient } from '../../binance/exchange-client';
import { klineDispatcher, observeKlineEvents, type KlineEvent } from '../../binance/kline-events';
import { SharedStreamPool, streamKey, type LeaseWatch } from '../../binance/shared-stream';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { standInBars } from '../../market-data/stand-in-bars';
import { loadShippedBars } from '../helpers/shipped-data';

/** A socket of the fake client: what the pool touches of ccxt's WsClient. */
class FakeSocket {
  error: unknown;
  readonly subscriptions: Record<string, unknown> = {};
  closed = 0;
  private readonly waiters: ((error: unknown) => void)[] = [];
  wait(): Promise<number[][]> {
    return new Promise((_resolve, reject) => this.waiters.push(reject));
  }
  reset(error: unknown): void {
    for (const reject of this.waiters.splice(0)) reject(error);
  }
  send(_message: unknown): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

/** Just enough of ccxt.pro's binanceusdm: watches ride `clients.kline`, re-created after a drop, as ccxt does. */
class FakeClient {
  readonly id = 'fake';
  readonly ohlcvs = {};
  clients: Record<string, FakeSocket> = {};
  closes = 0;
  unwatched: string[] = [];
  handled = 0;
  handleOHLCV(_ws: unknown, _message: unknown): void {
    this.handled++;
  }
  loadMarkets(): Promise<void> {
    return Promise.resolve();
  }
  watchOHLCV(symbol: string): Promise<number[][]> {
    const socket = (this.clients['kline'] ??= new FakeSocket());
    socket.subscriptions[`ohlcv::${symbol}::1m`] = true;
    return socket.wait();
  }
  unWatchOHLCV(symbol: string): Promise<boolean> {
    this.unwatched.push(symbol);
    for (const socket of Object.values(this.clients)) delete socket.subscriptions[`ohlcv::${symbol}::1m`];
    return Promise.resolve(true);
  }
  close(): Promise<void> {
    this.closes++;
    this.clients = {};
    return Promise.resolve();
  }
}

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const asStream = (fake: FakeClient) => fake as unknown as StreamClient;
const LOCAL: ExchangeSettings = { kind: 'local', baseUrl: 'http://127.0.0.1:1' };

function fakePool(): { pool: SharedStreamPool; created: FakeClient[] } {
  const created: FakeClient[] = [];
  const pool = new SharedStreamPool(() => {
    const fake = new FakeClient();
    created.push(fake);
    return asStream(fake);
  });
  return { pool, created };
}

describe('SharedStreamPool (fake client)', () => {
  test('one client per setting (credentials ignored); released leases close it only when the last one goes', async () => {
    const { pool, created } = fakePool();
    const a = pool.lease({ ...LOCAL, apiKey: 'k1', apiSecret: 's1' });
    const b = pool.lease({ apiSecret: 's2', baseUrl: 'http://127.0.0.1:1', kind: 'local' });
    const other = pool.lease({ kind: 'local', baseUrl: 'http://127.0.0.1:2' });
    expect(created).toHaveLength(2);
    expect(a.client).toBe(b.client);
    expect(streamKey({ ...LOCAL, apiKey: 'x' })).toBe(streamKey(LOCAL));
    expect(pool.leases(LOCAL)).toBe(2);

    void a.watch('BTC/USDT:USDT');
    void b.watch('ETH/USDT:USDT');
    await settle();
    await a.release();
    await a.release(); // idempotent
    expect(pool.leases(LOCAL)).toBe(1);
    expect(created[0]!.closes).toBe(0);
    // Only the released lease's symbol is unsubscribed; the other keeps its subscription.
    expect(created[0]!.unwatched).toEqual(['BTC/USDT:USDT']);
    expect(created[0]!.clients['kline']!.subscriptions).toEqual({ 'ohlcv::ETH/USDT:USDT::1m': true });

    await b.release();
    expect(created[0]!.closes).toBe(1);
    expect(pool.leases(LOCAL)).toBe(0);
    expect(pool.size).toBe(1); // the other setting's client is still open
    await other.release();
    expect(created[1]!.closes).toBe(1);
    expect(pool.size).toBe(0);

    // A new lease after the last release gets a new client.
    const again = pool.lease(LOCAL);
    expect(created).toHaveLength(3);
    await again.release();
  });

  test('a lease released before its watch reaches ccxt does not subscribe', async () => {
    const { pool, created } = fakePool();
    const [a, b] = [pool.lease(LOCAL), pool.lease(LOCAL)];
    const watch = a.watch('BTC/USDT:USDT');
    await a.release();
    expect(await watch).toMatchObject({ kind: 'error' });
    expect(created[0]!.clients).toEqual({});
    await b.release();
  });

  test('a symbol watched by two leases is unsubscribed only when both are released', async () => {
    const { pool, created } = fakePool();
    const [a, b, c] = [pool.lease(LOCAL), pool.lease(LOCAL), pool.lease(LOCAL)];
    void a.watch('BTC/USDT:USDT');
    void b.watch('BTC/USDT:USDT');
    void c.watch('ETH/USDT:USDT');
    await settle();
    await a.release();
    expect(created[0]!.unwatched).toEqual([]);
    await b.release();
    expect(created[0]!.unwatched).toEqual(['BTC/USDT:USDT']);
    await c.release();
    expect(created[0]!.closes).toBe(1);
  });

  test('a reset drops the socket the failed watch rode once, and never the one re-opened after it', async () => {
    const { pool, created } = fakePool();
    const leases = [pool.lease(LOCAL), pool.lease(LOCAL), pool.lease(LOCAL)];
    const watches = leases.map((lease, i) => lease.watch(['BTC/USDT:USDT', 'ETH/USDT:USDT', 'ADA/USDT:USDT'][i]!));
    await settle();
    const first = created[0]!.clients['kline']!;
    const token = leases[0]!.connectionOf('BTC/USDT:USDT');
    expect(token.sockets).toEqual([first]);

    // All three streamers find the connection broken at once: one drop, every pending watch rejected.
    const dropped = await Promise.all(leases.map((lease) => lease.reset(token, 'test')));
    expect(dropped.filter(Boolean)).toHaveLength(1);
    expect(first.closed).toBe(1);
    expect(pool.resets(LOCAL)).toBe(1);
    const outcomes: LeaseWatch[] = await Promise.all(watches);
    expect(outcomes.map((o) => o.kind)).toEqual(['error', 'error', 'error']);
    expect(outcomes[0]!.kind === 'error' && String(outcomes[0]!.error)).toMatch(/NetworkError: shared stream reset: test/);

    // The first to reconnect opens a new socket; a late reset with the old token leaves it alone.
    void leases[0]!.watch('BTC/USDT:USDT');
    await settle();
    const second = created[0]!.clients['kline']!;
    expect(second).not.toBe(first);
    expect(await leases[1]!.reset(token, 'late')).toBe(false);
    expect(second.closed).toBe(0);
    expect(created[0]!.clients['kline']).toBe(second);
    // A reset of the current socket drops it.
    expect(await leases[2]!.reset(leases[0]!.connectionOf('BTC/USDT:USDT'), 'stalled')).toBe(true);
    expect(second.closed).toBe(1);
    expect(pool.resets(LOCAL)).toBe(2);
    expect(created[0]!.closes).toBe(0); // resets drop sockets, they do not close the client
    for (const lease of leases) await lease.release();
    expect(created[0]!.closes).toBe(1);
  });
});

describe('kline event dispatcher', () => {
  const kline = (s: string, t: number, x: boolean) => ({ e: 'kline', E: t + BAR_MS, s, k: { t, x, s, i: '1m' } });

  test('one wrapper per client, events by market id, listeners removed in any order', () => {
    const fake = new FakeClient();
    const client = asStream(fake);
    const seen: string[] = [];
    const listener = (name: string) => (event: KlineEvent) => seen.push(`${name}:${event.openTime}:${event.final}`);
    const removeA = observeKlineEvents(client, 'BTCUSDT', listener('a'));
    const handler = () => Reflect.get(client, 'handleOHLCV') as unknown;
    const wrapper = handler();
    const removeB = observeKlineEvents(client, 'BTCUSDT', listener('b'));
    const removeC = observeKlineEvents(client, 'ETHUSDT', listener('c'));
    expect(handler()).toBe(wrapper); // installed once
    const dispatcher = klineDispatcher(client);
    expect(dispatcher.listenerCount()).toBe(3);

    const send = (message: Record<string, unknown>) => client.handleOHLCV.call(client, undefined as never, message);
    send(kline('BTCUSDT', 1, true));
    send(kline('ETHUSDT', 2, false));
    send({ e: 'kline', s: 'BTCUSDT', k: { t: 3, x: true, s: 'BTCUSDT', i: '5m' } }); // not 1m: ignored
    expect(seen.splice(0)).toEqual(['a:1:true', 'b:1:true', 'c:2:false']);
    expect(fake.handled).toBe(3); // ccxt's own handler still sees every message

    removeB(); // the middle one first
    send(kline('BTCUSDT', 4, true));
    expect(seen.splice(0)).toEqual(['a:4:true']);
    removeA();
    removeA(); // twice is harmless
    send(kline('BTCUSDT', 5, true));
    send(kline('ETHUSDT', 5, true));
    expect(seen.splice(0)).toEqual(['c:5:true']);
    removeC();
    expect(dispatcher.listenerCount()).toBe(0);
    send(kline('ETHUSDT', 6, true));
    expect(seen).toEqual([]);
    expect(fake.handled).toBe(7);
  });
});

describe('SharedStreamPool (ccxt.pro against a local exchange)', () => {
  const real = loadShippedBars().slice(0, 400);
  const symbols = ['BTCUSDT', 'ETHUSDT', 'ADAUSDT', 'SOLUSDT', 'XRPUSDT', 'DOGEUSDT', 'BNBUSDT', 'LTCUSDT', 'DOTUSDT', 'LINKUSDT', 'AVAXUSDT', 'TRXUSDT'];
  const START = 200;
  let exchange: LocalExchange;

  beforeAll(async () => {
    exchange = await LocalExchange.start({
      startIndex: START,
      speed: 0,
      port: 0,
      markets: symbols.map((symbol) => ({ symbol, bars: standInBars(real, symbol) })),
    });
  });
  afterAll(async () => {
    await exchange.stop();
  });

  test('twelve symbols subscribe over one connection within the 10 messages/s limit; one leaving does not disturb the others', async () => {
    const settings: ExchangeSettings = { kind: 'local', baseUrl: exchange.baseUrl };
    const pool = new SharedStreamPool((s) => createStreamClient(s, null));
    const leases = symbols.map(() => pool.lease(settings));
    const started = Date.now();
    let watches = leases.map((lease, i) => lease.watch(marketSymbol(symbols[i]!)));
    for (const symbol of symbols) await exchange.waitForKlineSubscribers(1, 10_000, symbol);
    // ccxt paces the SUBSCRIBEs (about 4 a second): the local exchange, which closes a connection beyond 10/s as
    // Binance does, kept it.
    console.log(`12 SUBSCRIBEs on one connection: ${Date.now() - started} ms`);
    expect(exchange.webSocketConnections()).toBe(1);

    const [btc] = exchange.advance(1);
    const outcomes = await Promise.all(watches);
    expect(outcomes.map((o) => (o.kind === 'candles' ? o.candles.at(-1)?.[0] : o.kind))).toEqual(symbols.map(() => btc!.openTime));

    // ETHUSDT's activity ends: its symbol is unsubscribed, the connection and the other eleven stay.
    const ethIndex = symbols.indexOf('ETHUSDT');
    await leases[ethIndex]!.release();
    expect(exchange.klineSubscribersBySymbol()).toEqual(Object.fromEntries(symbols.map((s) => [s, s === 'ETHUSDT' ? 0 : 1])));
    expect(exchange.webSocketConnections()).toBe(1);
    watches = leases.map((lease, i) => lease.watch(marketSymbol(symbols[i]!)));
    const [next] = exchange.advance(1);
    const later = await Promise.all(watches.filter((_, i) => i !== ethIndex));
    expect(later.map((o) => (o.kind === 'candles' ? o.candles.at(-1)?.[0] : o.kind))).toEqual(symbols.slice(1).map(() => next!.openTime));

    // A reset from every streamer at once drops the connection once; they all come back on one new connection.
    const token = leases[0]!.connectionOf(marketSymbol('BTCUSDT'));
    const live = leases.filter((_, i) => i !== ethIndex);
    expect((await Promise.all(live.map((lease) => lease.reset(token, 'test')))).filter(Boolean)).toHaveLength(1);
    await until('the old connection is closed', () => exchange.webSocketConnections() === 0);
    const rewatched = live.map((lease, i) => lease.watch(marketSymbol(symbols.filter((s) => s !== 'ETHUSDT')[i]!)));
    for (const symbol of symbols.filter((s) => s !== 'ETHUSDT')) await exchange.waitForKlineSubscribers(1, 10_000, symbol);
    expect(exchange.webSocketConnections()).toBe(1);
    exchange.advance(1);
    expect((await Promise.all(rewatched)).every((o) => o.kind === 'candles')).toBe(true);

    for (const lease of leases) await lease.release();
    expect(pool.size).toBe(0);
    await until('the connection is closed', () => exchange.webSocketConnections() === 0);
  });

  test("a reset while SUBSCRIBEs wait in ccxt's throttle leaves no unhandled rejection, and the streams come back", async () => {
    const settings: ExchangeSettings = { kind: 'local', baseUrl: exchange.baseUrl };
    const pool = new SharedStreamPool((s) => createStreamClient(s, null));
    const some = symbols.slice(0, 4);
    const leases = some.map(() => pool.lease(settings));
    const watches = leases.map((lease, i) => lease.watch(marketSymbol(some[i]!)));
    await exchange.waitForKlineSubscribers(1, 5_000, some[0]);
    // The other three SUBSCRIBEs are still queued (about 250 ms apart): they meet a closed socket.
    expect(await leases[0]!.reset(leases[0]!.connectionOf(marketSymbol(some[0]!)), 'test')).toBe(true);
    expect((await Promise.all(watches)).map((o) => o.kind)).toEqual(['error', 'error', 'error', 'error']);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // an unhandled rejection would fail the test here
    await until('the old connection is closed', () => exchange.webSocketConnections() === 0);
    const again = leases.map((lease, i) => lease.watch(marketSymbol(some[i]!)));
    for (const symbol of some) await exchange.waitForKlineSubscribers(1, 10_000, symbol);
    expect(exchange.webSocketConnections()).toBe(1);
    exchange.advance(1);
    expect((await Promise.all(again)).map((o) => o.kind)).toEqual(['candles', 'candles', 'candles', 'candles']);
    await Promise.all(leases.map((lease) => lease.release())); // concurrently: UNSUBSCRIBEs answered before the close
    await until('the connection is closed', () => exchange.webSocketConnections() === 0);
  });
});
