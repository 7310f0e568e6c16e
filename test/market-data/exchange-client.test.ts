/** The ccxt factory and the time rules of the stored series. */
import { BAR_MS } from '../../domain/bars';
import { DEMO_API_KEY, LocalExchange } from '../../local-exchange/local-exchange';
import { historyStart, lastClosedOpenTime, missingRanges } from '../../market-data/bar-window';
import { createRestClient, createStreamClient, exchangeNow, marketSymbol } from '../../binance/exchange-client';
import { loadShippedBars } from '../helpers/shipped-data';

const T = Date.UTC(2023, 2, 3, 12, 0);

describe('marketSymbol', () => {
  test('maps USDT-margined perpetual ids to ccxt symbols', () => {
    expect(marketSymbol('BTCUSDT')).toBe('BTC/USDT:USDT');
    expect(marketSymbol('ETHUSDT')).toBe('ETH/USDT:USDT');
    expect(marketSymbol('1000PEPEUSDT')).toBe('1000PEPE/USDT:USDT');
  });

  test.each(['BTCUSD', 'BTCUSDT_250926', 'btcusdt', 'USDT', 'BTC/USDT:USDT', 'ETHBTC'])('refuses %s by name', (symbol) => {
    expect(() => marketSymbol(symbol)).toThrow(`Symbol '${symbol}' is not a Binance USDT-margined perpetual id`);
  });
});

describe('createRestClient / createStreamClient', () => {
  test('point at the local exchange with the demo keys, and read its replayed clock', async () => {
    const exchange = await LocalExchange.start({ bars: loadShippedBars(), startIndex: 3000 });
    const rest = createRestClient({ kind: 'local', baseUrl: exchange.baseUrl });
    const stream = createStreamClient({ kind: 'local', baseUrl: exchange.baseUrl });
    try {
      expect(rest.apiKey).toBe(DEMO_API_KEY);
      expect(rest.enableRateLimit).toBe(true);
      expect(JSON.stringify(stream.urls['api'])).toContain(exchange.baseUrl.replace('http', 'ws'));
      // The market's time (2023), not this host's.
      expect(await exchangeNow(rest)).toBe(exchange.serverTime());
      expect(exchange.serverTime()).toBe(loadShippedBars()[3000]!.openTime);
    } finally {
      await Promise.all([rest.close(), stream.close(), exchange.stop()]);
    }
  });

  test('use the given keys, none with null, and Binance Demo Trading for testnet', () => {
    const keys = { apiKey: 'k', secret: 's' };
    expect(createRestClient({ kind: 'binance' }, keys).apiKey).toBe('k');
    expect(createRestClient({ kind: 'binance' }, null).apiKey).toBeFalsy();
    expect(createRestClient({ kind: 'local', baseUrl: 'http://127.0.0.1:1', apiKey: 'mine', apiSecret: 'x' }).apiKey).toBe('mine');
    const mainnet = createRestClient({ kind: 'binance' }, null);
    const testnet = createRestClient({ kind: 'binance', testnet: true }, null);
    expect(JSON.stringify(mainnet.urls['api'])).toContain('https://fapi.binance.com');
    expect(JSON.stringify(testnet.urls['api'])).toContain('demo-fapi.binance.com');
    expect(JSON.stringify(testnet.urls['api'])).not.toContain('https://fapi.binance.com');
  });

  test('the testnet takes its own keys from the environment, never the real ones', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        BINANCE_API_KEY: 'real-key',
        BINANCE_API_SECRET: 'real-secret',
        BINANCE_TESTNET_API_KEY: 'demo-key',
        BINANCE_TESTNET_API_SECRET: 'demo-secret',
      });
      expect(createRestClient({ kind: 'binance', testnet: true }).apiKey).toBe('demo-key');
      expect(createRestClient({ kind: 'binance' }).apiKey).toBe('real-key');
      delete process.env.BINANCE_TESTNET_API_KEY;
      delete process.env.BINANCE_TESTNET_API_SECRET;
      expect(createRestClient({ kind: 'binance', testnet: true }).apiKey).toBeFalsy();
      process.env.BINANCE_TESTNET_API_KEY = 'demo-key';
      expect(() => createRestClient({ kind: 'binance', testnet: true })).toThrow(/BINANCE_TESTNET_API_SECRET is missing/);
    } finally {
      for (const k of ['BINANCE_API_KEY', 'BINANCE_API_SECRET', 'BINANCE_TESTNET_API_KEY', 'BINANCE_TESTNET_API_SECRET']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

describe('bar window rules', () => {
  test('a bar is closed once its minute is over on the exchange clock', () => {
    expect(lastClosedOpenTime(T)).toBe(T - BAR_MS);
    expect(lastClosedOpenTime(T + 59_999)).toBe(T - BAR_MS); // the bar opened at T is still in progress
    expect(lastClosedOpenTime(T + BAR_MS)).toBe(T);
  });

  test('the window of n hours holds n x 60 closed bars', () => {
    const from = historyStart(T, 2);
    expect((lastClosedOpenTime(T) - from) / BAR_MS + 1).toBe(120);
    expect(() => historyStart(T, 0)).toThrow('historyHours must be a positive number of hours, got 0');
  });

  test('missing ranges are the runs of absent minutes, inclusive', () => {
    const m = (i: number) => T + i * BAR_MS;
    expect(missingRanges([], m(0), m(4))).toEqual([{ from: m(0), to: m(4) }]);
    expect(missingRanges([m(0), m(1), m(2), m(3), m(4)], m(0), m(4))).toEqual([]);
    expect(missingRanges([m(-3), m(1), m(2), m(5), m(9)], m(0), m(6))).toEqual([
      { from: m(0), to: m(0) },
      { from: m(3), to: m(4) },
      { from: m(6), to: m(6) },
    ]);
  });
});
