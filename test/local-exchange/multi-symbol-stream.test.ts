/**
 * @jest-environment ./test/local-exchange/ccxt-environment.ts
 *
 * The kline streams of a local exchange listing several symbols: one ccxt.pro client, over one WebSocket
 * connection, receiving each subscribed symbol's own closed klines; raw connections receiving exactly what they
 * subscribed to.
 */
import WebSocket from 'ws';
import type { Bar } from '../../domain/bars';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { standInBars } from '../../market-data/stand-in-bars';
import { makeBars, ohlcvOf, proClient } from './fixtures';

const START = 20;
const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const ADA = 'ADA/USDT:USDT';

async function until(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every message a raw socket receives, parsed. */
async function rawSocket(url: string): Promise<{ socket: WebSocket; messages: unknown[] }> {
  const socket = new WebSocket(url);
  const messages: unknown[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { socket, messages };
}

describe('local exchange kline streams of several symbols', () => {
  const real = makeBars(30);
  const series: Record<string, Bar[]> = { BTCUSDT: real, ETHUSDT: standInBars(real, 'ETHUSDT'), ADAUSDT: standInBars(real, 'ADAUSDT') };
  const unified: Record<string, string> = { BTCUSDT: BTC, ETHUSDT: ETH, ADAUSDT: ADA };
  let exchange: LocalExchange;
  let client: ReturnType<typeof proClient>;

  beforeEach(async () => {
    exchange = await LocalExchange.start({ startIndex: START, markets: Object.entries(series).map(([symbol, bars]) => ({ symbol, bars })) });
    client = proClient(exchange);
    await client.loadMarkets();
  });

  afterEach(async () => {
    await client.close();
    await exchange.stop();
  });

  it("gives several watchOHLCV of one client, over one connection, each its own symbol's closed klines", async () => {
    const watches = Object.values(unified).map((symbol) => client.watchOHLCV(symbol, '1m'));
    for (const symbol of Object.keys(series)) await exchange.waitForKlineSubscribers(1, 5000, symbol);
    expect(exchange.webSocketConnections()).toBe(1);
    expect(exchange.klineSubscribersBySymbol()).toEqual({ BTCUSDT: 1, ETHUSDT: 1, ADAUSDT: 1 });

    exchange.advance(1);
    const candles = await Promise.all(watches);
    expect(candles.map((c) => c.at(-1))).toEqual(Object.values(series).map((bars) => ohlcvOf(bars[START]!)));
  });

  it('delivers every symbol of one watchOHLCVForSymbols on one connection', async () => {
    const pairs = Object.values(unified).map((symbol) => [symbol, '1m']);
    const first = client.watchOHLCVForSymbols(pairs);
    await exchange.waitForKlineSubscribers(1, 5000, 'ADAUSDT');
    exchange.advance(1);
    // The first event published (BTCUSDT's) resolves the watch; the others land in the client's cache.
    expect((await first)[BTC]?.['1m']?.at(-1)).toEqual(ohlcvOf(real[START]!));
    // ccxt types its cache loosely: it is an array of [t, o, h, l, c, v] rows.
    const cached = (symbol: string): number[] | undefined => (client.ohlcvs[symbol]?.['1m'] as unknown as number[][] | undefined)?.at(-1);
    await until('every symbol has its closed bar', () => Object.values(unified).every((s) => cached(s)?.[0] === real[START]!.openTime));
    for (const [symbol, bars] of Object.entries(series)) expect(cached(unified[symbol]!)).toEqual(ohlcvOf(bars[START]!));
    expect(exchange.webSocketConnections()).toBe(1);

    const next = client.watchOHLCVForSymbols([[ETH, '1m']]);
    exchange.advance(1);
    expect((await next)[ETH]?.['1m']?.at(-1)).toEqual(ohlcvOf(series['ETHUSDT']![START + 1]!));
  });

  it('sends each connection exactly the symbols it subscribed to (combined URL, SUBSCRIBE of several)', async () => {
    const base = exchange.wsUrl.replace(/\/ws$/, '');
    const combined = await rawSocket(`${base}/stream?streams=btcusdt@kline_1m/adausdt@kline_1m`);
    const raw = await rawSocket(`${base}/market/ws`);
    try {
      raw.socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['ethusdt@kline_1m', 'adausdt@kline_1m'], id: 1 }));
      await until('the SUBSCRIBE is acknowledged', () => raw.messages.length === 1);
      expect(raw.messages[0]).toEqual({ result: null, id: 1 });
      expect(exchange.klineSubscribersBySymbol()).toEqual({ BTCUSDT: 1, ETHUSDT: 1, ADAUSDT: 2 });

      exchange.advance(1);
      await until('both connections have their klines', () => combined.messages.length === 2 && raw.messages.length === 3);
      const t = real[START]!.openTime;
      expect(combined.messages).toEqual([
        expect.objectContaining({ stream: 'btcusdt@kline_1m', data: expect.objectContaining({ s: 'BTCUSDT', k: expect.objectContaining({ t, x: true }) }) }),
        expect.objectContaining({ stream: 'adausdt@kline_1m', data: expect.objectContaining({ s: 'ADAUSDT' }) }),
      ]);
      const eth = series['ETHUSDT']![START]!;
      expect(raw.messages.slice(1)).toEqual([
        expect.objectContaining({ e: 'kline', s: 'ETHUSDT', k: expect.objectContaining({ t, o: String(eth.open), c: String(eth.close) }) }),
        expect.objectContaining({ e: 'kline', s: 'ADAUSDT' }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect([combined.messages.length, raw.messages.length]).toEqual([2, 3]);
    } finally {
      combined.socket.terminate();
      raw.socket.terminate();
    }
  });
});
