/** Test bars and ccxt clients for the local exchange suites. */
import { BAR_MS, type Bar } from '../../domain/bars';
import { configureCcxtForLocal } from '../../local-exchange/ccxt-config';
import type { LocalExchange } from '../../local-exchange/local-exchange';

type Ccxt = typeof import('ccxt');

/**
 * The real ccxt module, loaded by ccxt-environment.ts with Node's own require (Jest cannot load its ESM-only
 * dependencies). Suites using it declare `@jest-environment ./test/local-exchange/ccxt-environment.ts`.
 */
export function ccxtModule(): Ccxt {
  const loaded = (globalThis as { __ccxt?: Ccxt }).__ccxt;
  if (loaded === undefined) throw new Error('ccxt is not loaded: add the docblock "@jest-environment ./test/local-exchange/ccxt-environment.ts"');
  return loaded;
}

export const SYMBOL = 'BTC/USDT:USDT';
/** 2023-03-01T00:00:00Z, like the shipped data set. */
export const T0 = Date.UTC(2023, 2, 1);

const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * A calm, slightly oscillating market around 20,000 with cent-precise prices (finer than the 0.10 tick, as in
 * the shipped Binance.US data); `overrides` replace fields of chosen bars (e.g. a crash bar).
 */
export function makeBars(count: number, overrides: Record<number, Partial<Omit<Bar, 'openTime'>>> = {}): Bar[] {
  return Array.from({ length: count }, (_, i) => {
    const open = cents(20_000 + (i % 7) * 1.37);
    const close = cents(open + 0.53);
    const bar: Bar = {
      openTime: T0 + i * BAR_MS,
      open,
      high: cents(Math.max(open, close) + 4.21),
      low: cents(Math.min(open, close) - 3.97),
      close,
      volume: 1 + (i % 5) * 0.125,
    };
    return { ...bar, ...overrides[i] };
  });
}

/** A REST client (ccxt.binanceusdm) pointed at the local exchange with its credentials. */
export function restClient(exchange: LocalExchange, credentials: { apiKey?: string; secret?: string } = {}) {
  return configureCcxtForLocal(
    new (ccxtModule().binanceusdm)({ apiKey: credentials.apiKey ?? exchange.apiKey, secret: credentials.secret ?? exchange.apiSecret }),
    exchange.baseUrl,
  );
}

/** A WebSocket client (ccxt.pro.binanceusdm) pointed at the local exchange. */
export function proClient(exchange: LocalExchange) {
  return configureCcxtForLocal(new (ccxtModule().pro.binanceusdm)({ apiKey: exchange.apiKey, secret: exchange.apiSecret }), exchange.baseUrl);
}

/** The [timestamp, open, high, low, close, volume] row ccxt makes of a bar. */
export function ohlcvOf(bar: Bar): number[] {
  return [bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.volume];
}
