/**
 * The market-stream WebSocket at the wire level: Binance's subscribe/ack messages and kline event JSON.
 */
import WebSocket from 'ws';
import { BAR_MS } from '../../domain/bars';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { makeBars } from './fixtures';

const START = 5;

/** A connected socket whose messages can be awaited one by one. */
async function connect(url: string) {
  const socket = new WebSocket(url);
  const queue: unknown[] = [];
  const waiters: ((message: unknown) => void)[] = [];
  socket.on('message', (data) => {
    const text = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const message: unknown = JSON.parse(text.toString('utf8'));
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(message);
    else queue.push(message);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      if (queue.length > 0) return resolve(queue.shift());
      const timer = setTimeout(() => reject(new Error('no message within 2 s')), 2000);
      waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  return { socket, next, send: (message: unknown) => socket.send(JSON.stringify(message)) };
}

describe('kline stream protocol', () => {
  const bars = makeBars(20);
  let exchange: LocalExchange;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    exchange = await LocalExchange.start({ bars, startIndex: START, partialBarUpdates: true });
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await exchange.stop();
  });

  it('acknowledges SUBSCRIBE, then sends the closed kline (x: true) and the opening of the next bar (x: false)', async () => {
    const client = await connect(exchange.wsUrl.replace(/\/ws$/, '/market/ws'));
    sockets.push(client.socket);
    client.send({ method: 'SUBSCRIBE', params: ['btcusdt@kline_1m'], id: 7 });
    expect(await client.next()).toEqual({ result: null, id: 7 });

    exchange.advance(1);
    const closed = bars[START]!;
    expect(await client.next()).toMatchObject({
      e: 'kline',
      E: closed.openTime + BAR_MS,
      s: 'BTCUSDT',
      k: {
        t: closed.openTime,
        T: closed.openTime + BAR_MS - 1,
        s: 'BTCUSDT',
        i: '1m',
        o: String(closed.open),
        h: String(closed.high),
        l: String(closed.low),
        c: String(closed.close),
        v: String(closed.volume),
        x: true,
      },
    });
    const opening = bars[START + 1]!;
    expect(await client.next()).toMatchObject({
      k: { t: opening.openTime, o: String(opening.open), h: String(opening.open), c: String(opening.open), v: '0', x: false },
    });

    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 8 });
    expect(await client.next()).toEqual({ result: ['btcusdt@kline_1m'], id: 8 });
    client.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@kline_1m'], id: 9 });
    expect(await client.next()).toEqual({ result: null, id: 9 });
    expect(exchange.state()['klineSubscribers']).toBe(0);
  });

  it('wraps events as {stream, data} on combined-stream connections', async () => {
    const base = exchange.wsUrl.replace(/\/ws$/, '');
    const client = await connect(`${base}/stream?streams=btcusdt@kline_1m`);
    sockets.push(client.socket);
    await exchange.waitForKlineSubscribers(1);
    exchange.advance(1);
    expect(await client.next()).toMatchObject({ stream: 'btcusdt@kline_1m', data: { e: 'kline', k: { t: bars[START]!.openTime, x: true } } });
  });

  it('answers malformed requests with Binance error messages', async () => {
    const client = await connect(exchange.wsUrl);
    sockets.push(client.socket);
    client.socket.send('{not json');
    expect(await client.next()).toMatchObject({ code: 3 });
    client.send({ method: 'SUBSCRIBE', params: 'btcusdt@kline_1m', id: 1 });
    expect(await client.next()).toMatchObject({ code: 2, id: 1 });
  });
});
