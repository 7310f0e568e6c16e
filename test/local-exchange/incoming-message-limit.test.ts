/**
 * Binance's limit of incoming messages per market-stream connection (USD-M: 10 a second; SUBSCRIBE and the other
 * JSON requests, PING and PONG frames count), enforced by the local exchange as Binance enforces it: the
 * connection is closed with code 1008 "Too many requests".
 */
import WebSocket from 'ws';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { makeBars } from './fixtures';

describe('local exchange incoming-message limit', () => {
  let exchange: LocalExchange;

  beforeEach(async () => {
    exchange = await LocalExchange.start({ bars: makeBars(20), startIndex: 5 });
  });

  afterEach(async () => {
    await exchange.stop();
  });

  async function open(): Promise<{ socket: WebSocket; acks: unknown[]; closed: Promise<{ code: number; reason: string }> }> {
    const socket = new WebSocket(exchange.wsUrl.replace(/\/ws$/, '/market/ws'));
    const acks: unknown[] = [];
    socket.on('message', (data: Buffer) => acks.push(JSON.parse(data.toString('utf8'))));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return { socket, acks, closed };
  }

  test('an 11th message within a second closes the connection with 1008 "Too many requests"', async () => {
    const { socket, acks, closed } = await open();
    for (let id = 1; id <= 11; id++) socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: [`s${id}usdt@kline_1m`], id }));
    expect(await closed).toEqual({ code: 1008, reason: 'Too many requests' });
    expect(acks).toEqual(Array.from({ length: 10 }, (_, i) => ({ result: null, id: i + 1 })));
  });

  test('10 a second, spread out, are fine', async () => {
    const { socket, acks } = await open();
    try {
      for (let id = 1; id <= 20; id++) {
        socket.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id }));
        if (id % 10 === 0) await new Promise((r) => setTimeout(r, 1_050));
      }
      const deadline = Date.now() + 2_000;
      while (acks.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(acks).toHaveLength(20);
      expect(socket.readyState).toBe(WebSocket.OPEN);
    } finally {
      socket.terminate();
    }
  });

  test('PING frames count too', async () => {
    const { socket, closed } = await open();
    for (let i = 0; i < 11; i++) socket.ping();
    expect((await closed).code).toBe(1008);
  });
});
