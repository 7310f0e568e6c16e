/**
 * @jest-environment ./test/local-exchange/ccxt-environment.ts
 *
 * ccxt.pro's binanceusdm watching the replayed 1m klines over the local exchange's WebSocket, including a
 * dropped connection and refused reconnects.
 */
import { LocalExchange } from '../../local-exchange/local-exchange';
import { ccxtModule, makeBars, ohlcvOf, proClient, SYMBOL } from './fixtures';

const ccxt = ccxtModule();
const START = 10;

describe('local exchange with ccxt.pro binanceusdm (WebSocket)', () => {
  const bars = makeBars(30);
  let exchange: LocalExchange;
  let client: ReturnType<typeof proClient>;

  beforeEach(async () => {
    exchange = await LocalExchange.start({ bars, startIndex: START });
    client = proClient(exchange);
    await client.loadMarkets();
  });

  afterEach(async () => {
    await client.close();
    await exchange.stop();
  });

  it('delivers each bar as it closes', async () => {
    const first = client.watchOHLCV(SYMBOL, '1m');
    await exchange.waitForKlineSubscribers(1);
    const [released] = exchange.advance(1);
    expect((await first).at(-1)).toEqual(ohlcvOf(released!));
    expect(released).toEqual(bars[START]);

    const second = client.watchOHLCV(SYMBOL, '1m');
    exchange.advance(1);
    expect((await second).at(-1)).toEqual(ohlcvOf(bars[START + 1]!));
  });

  it('fails the watch when the connection drops, refuses reconnects while told to, then streams again', async () => {
    const pending = client.watchOHLCV(SYMBOL, '1m');
    await exchange.waitForKlineSubscribers(1);

    expect(exchange.dropWebSockets({ forBars: 1 })).toBe(1);
    await expect(pending).rejects.toBeInstanceOf(ccxt.NetworkError);
    await expect(client.watchOHLCV(SYMBOL, '1m')).rejects.toBeInstanceOf(ccxt.NetworkError);

    exchange.advance(1); // the refusal lasts one bar
    const resumed = client.watchOHLCV(SYMBOL, '1m');
    await exchange.waitForKlineSubscribers(1);
    const [released] = exchange.advance(1);
    expect((await resumed).at(-1)).toEqual(ohlcvOf(released!));
    expect(released).toEqual(bars[START + 1]);
  });

  it('replays on its own at the chosen speed', async () => {
    // 6000x: a bar every 10 ms of wall time.
    exchange.startReplay(6000);
    const candles = await client.watchOHLCV(SYMBOL, '1m');
    const next = await client.watchOHLCV(SYMBOL, '1m');
    exchange.pauseReplay();
    const last = next.at(-1)!;
    expect(last[0]).toBeGreaterThan(candles.at(-1)![0]!);
    expect(last).toEqual(ohlcvOf(bars.find((b) => b.openTime === last[0])!));
    expect(exchange.closedBars).toBeGreaterThan(START);
  });
});
