/**
 * Which exchange a bot or the market-data stream talks to. Plain data (it travels through workflow inputs);
 * credentials are never part of it: activities read them from the environment.
 */
export type ExchangeSettings =
  /** Binance USD-M futures through ccxt's binanceusdm. */
  | { readonly kind: 'binance'; readonly testnet?: boolean }
  /** The project's Binance-compatible local exchange (local-exchange/), e.g. `http://127.0.0.1:8090`. */
  | { readonly kind: 'local'; readonly baseUrl: string; readonly apiKey?: string; readonly apiSecret?: string };
