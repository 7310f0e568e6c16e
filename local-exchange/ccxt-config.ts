/**
 * Points a real ccxt Binance client (ccxt.binanceusdm, ccxt.pro.binanceusdm; ccxt 4.5.84) at the local exchange.
 *
 * Only URLs and a few options change:
 * - every API family in `urls.api` (and `urls.test` / `urls.demo`, in case sandbox mode is switched on) is
 *   rewritten to the local server, so nothing can reach Binance by accident: endpoints the local exchange does
 *   not serve answer "not implemented" (ccxt ExchangeError) instead;
 * - `options.fetchCurrencies` / `fetchMargins` off: with API keys ccxt would otherwise call spot /sapi
 *   endpoints during loadMarkets;
 * - `options.fetchMarkets.types` = ['linear'] (USD-M only);
 * - `options.adjustForTimeDifference` off: the server clock is the replayed market's, while signed requests
 *   must carry the wall-clock timestamp;
 * - an `httpAgent` is set: ccxt.pro refuses plain ws:// URLs without one (it is how ccxt routes ws:// through
 *   proxies; a plain Agent carries no proxy, so REST calls are unaffected);
 * - Binance's USD-M error codes (ccxt's `exceptions.linear`) are merged into the exchange-wide table: ccxt picks
 *   the per-market table by the host name (https://fapi.binance.com/...), which a local URL does not match, so
 *   without this -4116 (duplicate client order id) or -2019 (margin) would surface as a bare ExchangeError.
 */
import { Agent } from 'node:http';
import type { Exchange } from 'ccxt';

/** The `urls.api` map of ccxt's binance classes with every entry on `baseUrl` (e.g. http://127.0.0.1:8090). */
export function localExchangeUrls(baseUrl: string): Record<string, string | Record<string, string | Record<string, string>>> {
  const http = baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(http)) throw new Error(`local exchange base URL must be http(s)://host:port, got "${baseUrl}"`);
  const ws = http.replace(/^http/, 'ws');
  return {
    fapiPublic: `${http}/fapi/v1`,
    fapiPublicV2: `${http}/fapi/v2`,
    fapiPublicV3: `${http}/fapi/v3`,
    fapiPrivate: `${http}/fapi/v1`,
    fapiPrivateV2: `${http}/fapi/v2`,
    fapiPrivateV3: `${http}/fapi/v3`,
    fapiData: `${http}/futures/data`,
    // Not served locally; kept on the local host so a stray call fails here, not at Binance.
    dapiPublic: `${http}/dapi/v1`,
    dapiPrivate: `${http}/dapi/v1`,
    dapiPrivateV2: `${http}/dapi/v2`,
    dapiData: `${http}/futures/data`,
    eapiPublic: `${http}/eapi/v1`,
    eapiPrivate: `${http}/eapi/v1`,
    sapi: `${http}/sapi/v1`,
    sapiV2: `${http}/sapi/v2`,
    sapiV3: `${http}/sapi/v3`,
    sapiV4: `${http}/sapi/v4`,
    public: `${http}/api/v3`,
    private: `${http}/api/v3`,
    v1: `${http}/api/v1`,
    papi: `${http}/papi/v1`,
    papiV2: `${http}/papi/v2`,
    ws: {
      // ccxt.pro rewrites ".../ws" to ".../market/ws/<n>" for USD-M market streams.
      future: `${ws}/ws`,
      spot: `${ws}/ws`,
      margin: `${ws}/ws`,
      delivery: `${ws}/ws`,
      stock: `${ws}/ws`,
      option: `${ws}/public/ws`,
      optionMarket: `${ws}/market/ws`,
      optionPrivate: `${ws}/private/ws`,
      papi: `${ws}/pm/ws`,
      'ws-api': { spot: `${ws}/ws-api/v3`, future: `${ws}/ws-fapi/v1`, delivery: `${ws}/ws-dapi/v1` },
    },
  };
}

/**
 * Rewrites a ccxt binance/binanceusdm instance (REST or pro) in place to use the local exchange.
 * The instance's own option and exception tables are updated rather than replaced (ccxt deep-merges them and
 * treats only plain objects of its own realm as dictionaries).
 */
export function configureCcxtForLocal<T extends Exchange>(exchange: T, baseUrl: string): T {
  const api = localExchangeUrls(baseUrl);
  exchange.urls['api'] = api;
  exchange.urls['test'] = api;
  exchange.urls['demo'] = api;
  const options = exchange.options;
  options['fetchCurrencies'] = false;
  options['fetchMargins'] = false;
  options['adjustForTimeDifference'] = false;
  const fetchMarkets = options['fetchMarkets'] as Record<string, unknown> | undefined;
  if (fetchMarkets !== undefined && typeof fetchMarkets === 'object' && !Array.isArray(fetchMarkets)) fetchMarkets['types'] = ['linear'];
  else options['fetchMarkets'] = ['linear'];
  if (exchange.httpAgent === undefined) exchange.httpAgent = new Agent();
  const exceptions = exchange.exceptions as Record<string, Record<string, unknown> | undefined>;
  const linear = exceptions['linear'] as { exact?: Record<string, unknown>; broad?: Record<string, unknown> } | undefined;
  for (const kind of ['exact', 'broad'] as const) {
    const table = exceptions[kind];
    if (table !== undefined && linear?.[kind] !== undefined) Object.assign(table, linear[kind]);
  }
  return exchange;
}
