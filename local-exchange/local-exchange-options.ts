// The local exchange's options and demo credentials, apart from the server so that clients (ccxt config, scripts)
// can read the defaults without loading the HTTP and replay code.
import type { Bar } from '../domain/bars';
import type { FundingRate } from '../domain/trading/funding';
import type { InstrumentSpec } from './exchange-info';

/** Credentials the local exchange accepts by default (demo values, not secrets). */
export const DEMO_API_KEY = 'local-exchange-demo-key';
export const DEMO_API_SECRET = 'local-exchange-demo-secret';

/** One symbol of a multi-symbol exchange. */
export interface MarketOptions {
  /** Binance symbol, e.g. ETHUSDT. */
  readonly symbol: string;
  /** Ascending 1-minute bars, on the same timeline as every other market's (bar i opens at the same time). */
  readonly bars: readonly Bar[];
  /** Default: BTCUSDT's for BTCUSDT, else BTCUSDT's scaled to the stand-in's price level (stand-in-instruments.ts). */
  readonly instrument?: InstrumentSpec;
  /** Default: a seeded SYNTHETIC 8-hourly series over the bars (a seed per symbol). */
  readonly funding?: readonly FundingRate[];
}

/** Either `bars` (one symbol, `instrument` default BTCUSDT) or `markets` (several symbols, one clock, one wallet). */
export interface LocalExchangeOptions {
  /** The market to replay (ascending 1-minute bars), when the exchange lists one symbol. */
  readonly bars?: readonly Bar[];
  /**
   * The funding-rate history served by /fapi/v1/fundingRate (ascending; each settled once the replay clock reaches
   * its time). Default: a seeded SYNTHETIC 8-hourly series over the bars (funding-series.ts).
   */
  readonly funding?: readonly FundingRate[];
  /** Several symbols instead of `bars` / `instrument` / `funding`; the first is the default of admin operations. */
  readonly markets?: readonly MarketOptions[];
  /** Bars before this index are already closed history when the exchange starts (every market). Default 0. */
  readonly startIndex?: number;
  /** Timed replay speed (1 = real time, 60 = one bar a second); 0 or absent = manual `advance()` only. */
  readonly speed?: number;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /** USDT in the wallet at start. Default 10,000. */
  readonly startingBalance?: number;
  /** Default 4. */
  readonly takerFeeBps?: number;
  /** Default 0. */
  readonly slippageBps?: number;
  /** Initial leverage of every symbol. Default 20 (Binance's default). */
  readonly leverage?: number;
  /** The one symbol's instrument (with `bars`). Default BTCUSDT's. */
  readonly instrument?: InstrumentSpec;
  /** Also publish an in-progress (x: false) kline for the new bar after each close. Default false. */
  readonly partialBarUpdates?: boolean;
  /** Extra slack on Binance's timestamp/recvWindow check, in ms. Default 5,000. */
  readonly timestampToleranceMs?: number;
  /** Server pings interval; Binance's is 3 minutes. */
  readonly wsPingIntervalMs?: number;
  /** A connection silent this long is dropped; Binance's is 10 minutes. */
  readonly wsPongTimeoutMs?: number;
  /** Wall clock (signature timestamps, timed replay, refusal windows). Default Date.now. */
  readonly wallClock?: () => number;
  /** Receives one line per notable event (orders, replay, faults). */
  readonly log?: (line: string) => void;
}
