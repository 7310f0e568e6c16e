/**
 * The one instrument the local exchange lists, and Binance's market-metadata answers built from it
 * (GET /fapi/v1/exchangeInfo, GET /fapi/v1/leverageBracket). Values follow Binance's BTCUSDT perpetual.
 */

export interface InstrumentSpec {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** PRICE_FILTER tickSize, as Binance writes it. */
  readonly tickSize: string;
  /** LOT_SIZE / MARKET_LOT_SIZE stepSize. */
  readonly stepSize: string;
  readonly minQty: string;
  /** LOT_SIZE maxQty (limit orders). */
  readonly maxQty: string;
  /** MARKET_LOT_SIZE maxQty (market and triggered orders). */
  readonly marketMaxQty: string;
  /** MIN_NOTIONAL notional, in the quote asset. */
  readonly minNotional: string;
  /** MAX_NUM_ALGO_ORDERS: open conditional orders allowed at once. */
  readonly maxAlgoOrders: number;
}

export const BTCUSDT_PERPETUAL: InstrumentSpec = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  tickSize: '0.10',
  stepSize: '0.001',
  minQty: '0.001',
  maxQty: '1000',
  marketMaxQty: '120',
  minNotional: '100',
  maxAlgoOrders: 10,
};

/** One notional tier: leverage cap and maintenance margin (Binance's `cum` makes the formula continuous). */
export interface LeverageBracket {
  readonly bracket: number;
  readonly initialLeverage: number;
  readonly notionalCap: number;
  readonly notionalFloor: number;
  readonly maintMarginRatio: number;
  readonly cum: number;
}

/** BTCUSDT's tiers as Binance published them (2024). */
export const BTCUSDT_BRACKETS: readonly LeverageBracket[] = [
  { bracket: 1, initialLeverage: 125, notionalCap: 50_000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 },
  { bracket: 2, initialLeverage: 100, notionalCap: 600_000, notionalFloor: 50_000, maintMarginRatio: 0.005, cum: 50 },
  { bracket: 3, initialLeverage: 75, notionalCap: 3_000_000, notionalFloor: 600_000, maintMarginRatio: 0.0065, cum: 950 },
  { bracket: 4, initialLeverage: 50, notionalCap: 12_000_000, notionalFloor: 3_000_000, maintMarginRatio: 0.01, cum: 11_450 },
  { bracket: 5, initialLeverage: 25, notionalCap: 70_000_000, notionalFloor: 12_000_000, maintMarginRatio: 0.02, cum: 131_450 },
  { bracket: 6, initialLeverage: 20, notionalCap: 100_000_000, notionalFloor: 70_000_000, maintMarginRatio: 0.025, cum: 481_450 },
  { bracket: 7, initialLeverage: 10, notionalCap: 230_000_000, notionalFloor: 100_000_000, maintMarginRatio: 0.05, cum: 2_981_450 },
  { bracket: 8, initialLeverage: 5, notionalCap: 480_000_000, notionalFloor: 230_000_000, maintMarginRatio: 0.1, cum: 14_481_450 },
  { bracket: 9, initialLeverage: 4, notionalCap: 600_000_000, notionalFloor: 480_000_000, maintMarginRatio: 0.125, cum: 26_481_450 },
  { bracket: 10, initialLeverage: 3, notionalCap: 800_000_000, notionalFloor: 600_000_000, maintMarginRatio: 0.15, cum: 41_481_450 },
  { bracket: 11, initialLeverage: 2, notionalCap: 1_200_000_000, notionalFloor: 800_000_000, maintMarginRatio: 0.25, cum: 121_481_450 },
  { bracket: 12, initialLeverage: 1, notionalCap: 1_800_000_000, notionalFloor: 1_200_000_000, maintMarginRatio: 0.5, cum: 421_481_450 },
];

export const MAX_LEVERAGE = BTCUSDT_BRACKETS[0]!.initialLeverage;

/** The tier a position of this absolute notional falls in. */
export function bracketForNotional(notional: number): LeverageBracket {
  return BTCUSDT_BRACKETS.find((b) => notional < b.notionalCap) ?? BTCUSDT_BRACKETS[BTCUSDT_BRACKETS.length - 1]!;
}

/** Largest position notional allowed at this leverage (Binance's `maxNotionalValue`). */
export function maxNotionalForLeverage(leverage: number): number {
  let cap = 0;
  for (const b of BTCUSDT_BRACKETS) if (b.initialLeverage >= leverage) cap = b.notionalCap;
  return cap;
}

/** Number of decimals a Binance step string carries ("0.10" -> 2, "0.001" -> 3, "1" -> 0). */
export function decimalsOf(step: string): number {
  const dot = step.indexOf('.');
  return dot < 0 ? 0 : step.length - dot - 1;
}

/** GET /fapi/v1/exchangeInfo: everything ccxt's parseMarket reads, in Binance's field names and types. */
export function exchangeInfoResponse(spec: InstrumentSpec, serverTime: number): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
    ],
    exchangeFilters: [],
    assets: [{ asset: spec.quoteAsset, marginAvailable: true, autoAssetExchange: '-10000' }],
    symbols: [
      {
        symbol: spec.symbol,
        pair: spec.symbol,
        contractType: 'PERPETUAL',
        deliveryDate: 4133404800000,
        onboardDate: 1569398400000,
        status: 'TRADING',
        maintMarginPercent: '2.5000',
        requiredMarginPercent: '5.0000',
        baseAsset: spec.baseAsset,
        quoteAsset: spec.quoteAsset,
        marginAsset: spec.quoteAsset,
        pricePrecision: decimalsOf(spec.tickSize),
        quantityPrecision: decimalsOf(spec.stepSize),
        baseAssetPrecision: 8,
        quotePrecision: 8,
        underlyingType: 'COIN',
        underlyingSubType: ['PoW'],
        settlePlan: 0,
        triggerProtect: '0.0500',
        liquidationFee: '0.012500',
        marketTakeBound: '0.05',
        maxMoveOrderLimit: 10000,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: '556.80', maxPrice: '4529764', tickSize: spec.tickSize },
          { filterType: 'LOT_SIZE', minQty: spec.minQty, maxQty: spec.maxQty, stepSize: spec.stepSize },
          { filterType: 'MARKET_LOT_SIZE', minQty: spec.minQty, maxQty: spec.marketMaxQty, stepSize: spec.stepSize },
          { filterType: 'MAX_NUM_ORDERS', limit: 200 },
          { filterType: 'MAX_NUM_ALGO_ORDERS', limit: spec.maxAlgoOrders },
          { filterType: 'MIN_NOTIONAL', notional: spec.minNotional },
          { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
        ],
        orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
      },
    ],
  };
}

/** GET /fapi/v1/leverageBracket (ccxt loads it before fetchPositions to compute maintenance margins). */
export function leverageBracketResponse(spec: InstrumentSpec): Record<string, unknown>[] {
  return [{ symbol: spec.symbol, notionalCoef: 1.0, brackets: BTCUSDT_BRACKETS.map((b) => ({ ...b })) }];
}
