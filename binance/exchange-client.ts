/**
 * The one place ccxt clients are built from ExchangeSettings (issue4.md): REST (ccxt.binanceusdm) for history,
 * the clock and orders, WebSocket (ccxt.pro.binanceusdm) for the kline stream. Market data, the bot and the
 * demo all go through here, so "which exchange" is decided by one plain-data value.
 */
import ccxt from 'ccxt';
import { type ExchangeCredentials, exchangeCredentials, testnetCredentials } from '../config/secrets';
import type { ExchangeSettings } from '../domain/exchange-settings';
import { configureCcxtForLocal } from '../local-exchange/ccxt-config';
import { DEMO_API_KEY, DEMO_API_SECRET } from '../local-exchange/local-exchange';

export type RestClient = InstanceType<typeof ccxt.binanceusdm>;
export type StreamClient = InstanceType<typeof ccxt.pro.binanceusdm>;

interface ClientConfig {
  apiKey?: string;
  secret?: string;
  enableRateLimit: boolean;
}

/**
 * The API keys a client gets. `credentials`: an explicit pair, `null` for none (public endpoints only), or
 * undefined for the default: BINANCE_API_KEY/SECRET for Binance, BINANCE_TESTNET_API_KEY/SECRET for its Demo Trading
 * (testnet); locally the settings' keys, else BINANCE_API_KEY/SECRET, else the local exchange's demo keys.
 */
function clientConfig(settings: ExchangeSettings, credentials: ExchangeCredentials | null | undefined): ClientConfig {
  const keys =
    credentials !== undefined
      ? credentials
      : settings.kind === 'local'
        ? settings.apiKey && settings.apiSecret
          ? { apiKey: settings.apiKey, secret: settings.apiSecret }
          : (exchangeCredentials() ?? { apiKey: DEMO_API_KEY, secret: DEMO_API_SECRET })
        : settings.testnet === true
          ? testnetCredentials()
          : exchangeCredentials();
  // ccxt's own rate limiter keeps REST calls under Binance's request weights (a long backfill pages quickly).
  return keys === null ? { enableRateLimit: true } : { apiKey: keys.apiKey, secret: keys.secret, enableRateLimit: true };
}

function configure<T extends RestClient | StreamClient>(client: T, settings: ExchangeSettings): T {
  if (settings.kind === 'local') {
    configureCcxtForLocal(client, settings.baseUrl); // rewrites the instance in place
    return client;
  }
  // Binance retired the futures testnet behind ccxt's sandbox mode (ccxt 4.5 refuses it for USD-M);
  // its successor is Demo Trading (demo-fapi.binance.com / fstream.binancefuture.com).
  if (settings.testnet === true) client.enableDemoTrading(true);
  return client;
}

/** A REST client (ccxt.binanceusdm) for the configured exchange. */
export function createRestClient(settings: ExchangeSettings, credentials?: ExchangeCredentials | null): RestClient {
  return configure(new ccxt.binanceusdm(clientConfig(settings, credentials)), settings);
}

/** A WebSocket client (ccxt.pro.binanceusdm). Market streams are public: keys only matter for user streams. */
export function createStreamClient(settings: ExchangeSettings, credentials?: ExchangeCredentials | null): StreamClient {
  return configure(new ccxt.pro.binanceusdm(clientConfig(settings, credentials)), settings);
}

const USDT_PERPETUAL = /^([A-Z0-9]+)USDT$/;

/**
 * ccxt's unified symbol of a Binance USD-M perpetual: 'BTCUSDT' -> 'BTC/USDT:USDT', '1000PEPEUSDT' ->
 * '1000PEPE/USDT:USDT'. Only USDT-margined perpetuals are traded here; anything else is refused by name.
 */
export function marketSymbol(symbol: string): string {
  const match = USDT_PERPETUAL.exec(symbol);
  if (match === null || match[1] === undefined) {
    throw new Error(
      `Symbol '${symbol}' is not a Binance USDT-margined perpetual id (expected upper-case base + 'USDT', e.g. 'BTCUSDT'; ` +
        'quarterly contracts like BTCUSDT_250926 and other margin assets are not supported)',
    );
  }
  return `${match[1]}/USDT:USDT`;
}

/**
 * The exchange's clock (Unix ms). It decides which bars are closed: the local exchange's clock is the replayed
 * market's, far from the wall clock, and even Binance's may differ from this host's by a second or so.
 */
export async function exchangeNow(client: RestClient): Promise<number> {
  const time = await client.fetchTime();
  if (typeof time !== 'number' || !Number.isFinite(time)) throw new Error(`${client.id} fetchTime returned ${String(time)}, not a time in ms`);
  return time;
}
