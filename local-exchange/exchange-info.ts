/**
 * The instruments the local exchange lists, and Binance's market-metadata answers built from them
 * (GET /fapi/v1/exchangeInfo, GET /fapi/v1/leverageBracket). BTCUSDT_PERPETUAL follows Binance's BTCUSDT
 * perpetual; other symbols' specs are derived in stand-in-instruments.ts.
 */
import { leverageBracketsFile, loadLeverageBrackets } from '../config/leverage-brackets';
import type { LeverageBracket } from '../domain/trading';

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
  /** PRICE_FILTER minPrice / maxPrice. Default BTCUSDT's. */
  readonly minPrice?: string;
  readonly maxPrice?: string;
  /** Leverage tiers. Default BTCUSDT's (notional caps are in USDT, whatever the price level). */
  readonly brackets?: readonly LeverageBracket[];
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

/**
 * BTCUSDT's tiers: the shipped config/leverage-brackets/BTCUSDT.json (Binance's published tiers), the one set of
 * numbers the backtest and paper engine also use, so the local exchange liquidates where the engine says it would.
 */
export const BTCUSDT_BRACKETS: readonly LeverageBracket[] = shippedBrackets(BTCUSDT_PERPETUAL.symbol);

function shippedBrackets(symbol: string): LeverageBracket[] {
  const brackets = loadLeverageBrackets(symbol);
  if (brackets === null) throw new Error(`The local exchange lists ${symbol} but ${leverageBracketsFile(symbol)} does not exist`);
  return brackets;
}

export const MAX_LEVERAGE = BTCUSDT_BRACKETS[0]!.initialLeverage;

/** The tier a position of this absolute notional falls in. */
export function bracketForNotional(notional: number, brackets: readonly LeverageBracket[] = BTCUSDT_BRACKETS): LeverageBracket {
  return brackets.find((b) => notional < b.notionalCap) ?? brackets[brackets.length - 1]!;
}

/** Largest position notional allowed at this leverage (Binance's `maxNotionalValue`). */
export function maxNotionalForLeverage(leverage: number, brackets: readonly LeverageBracket[] = BTCUSDT_BRACKETS): number {
  let cap = 0;
  for (const b of brackets) if (b.initialLeverage >= leverage) cap = b.notionalCap;
  return cap;
}

export const bracketsOf = (spec: InstrumentSpec): readonly LeverageBracket[] => spec.brackets ?? BTCUSDT_BRACKETS;

/** Number of decimals a Binance step string carries ("0.10" -> 2, "0.001" -> 3, "1" -> 0). */
export function decimalsOf(step: string): number {
  const dot = step.indexOf('.');
  return dot < 0 ? 0 : step.length - dot - 1;
}

/** GET /fapi/v1/exchangeInfo: everything ccxt's parseMarket reads, in Binance's field names and types. */
export function exchangeInfoResponse(specs: readonly InstrumentSpec[], serverTime: number): Record<string, unknown> {
  const quoteAssets = [...new Set(specs.map((s) => s.quoteAsset))];
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
    assets: quoteAssets.map((asset) => ({ asset, marginAvailable: true, autoAssetExchange: '-10000' })),
    symbols: specs.map(symbolInfo),
  };
}

function symbolInfo(spec: InstrumentSpec): Record<string, unknown> {
  return {
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
      { filterType: 'PRICE_FILTER', minPrice: spec.minPrice ?? '556.80', maxPrice: spec.maxPrice ?? '4529764', tickSize: spec.tickSize },
      { filterType: 'LOT_SIZE', minQty: spec.minQty, maxQty: spec.maxQty, stepSize: spec.stepSize },
      { filterType: 'MARKET_LOT_SIZE', minQty: spec.minQty, maxQty: spec.marketMaxQty, stepSize: spec.stepSize },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', limit: spec.maxAlgoOrders },
      { filterType: 'MIN_NOTIONAL', notional: spec.minNotional },
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
    ],
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
  };
}

/** GET /fapi/v1/leverageBracket (ccxt loads it before fetchPositions to compute maintenance margins). */
export function leverageBracketResponse(...specs: InstrumentSpec[]): Record<string, unknown>[] {
  return specs.map((spec) => ({ symbol: spec.symbol, notionalCoef: 1.0, brackets: bracketsOf(spec).map((b) => ({ ...b })) }));
}
