/**
 * The USD-M futures REST endpoints the local exchange serves, keyed by "METHOD /path". Each route says whether
 * Binance requires a signature, and answers with Binance's JSON (or throws a BinanceApiError).
 *
 * Which ccxt (4.5.84, binanceusdm) methods call what:
 * - loadMarkets: GET /fapi/v1/exchangeInfo            fetchTime: GET /fapi/v1/time
 * - fetchOHLCV: GET /fapi/v1/klines                   fetchTicker(s): GET /fapi/v1/ticker/24hr
 * - fetchLastPrices: GET /fapi/v2/ticker/price        fetchMarkPrice / fetchFundingRate: GET /fapi/v1/premiumIndex
 * - createOrder market: POST /fapi/v1/order; with triggerPrice/stopLossPrice/takeProfitPrice: POST /fapi/v1/algoOrder
 * - fetchOrder: GET /fapi/v1/order, with {trigger: true}: GET /fapi/v1/algoOrder
 * - cancelOrder: DELETE /fapi/v1/order, with {trigger: true}: DELETE /fapi/v1/algoOrder
 * - fetchOpenOrders: GET /fapi/v1/openOrders, with {trigger: true}: GET /fapi/v1/openAlgoOrders
 * - cancelAllOrders: DELETE /fapi/v1/allOpenOrders, with {trigger: true}: DELETE /fapi/v1/algoOpenOrders
 * - fetchOrders / fetchClosedOrders: GET /fapi/v1/allOrders (with {trigger: true}: GET /fapi/v1/allAlgoOrders)
 * - fetchMyTrades: GET /fapi/v1/userTrades            fetchTradingFee: GET /fapi/v1/commissionRate
 * - fetchBalance: GET /fapi/v3/account (useV2: /fapi/v2/account)
 * - fetchPositions: GET /fapi/v1/leverageBracket once, then GET /fapi/v3/positionRisk (useV2: /fapi/v2/positionRisk)
 * - setLeverage: POST /fapi/v1/leverage               setMarginMode: POST /fapi/v1/marginType
 * - fetchPositionMode: GET /fapi/v1/positionSide/dual
 */
import type { Bar } from '../domain/bars';
import type { AccountEngine, ConditionalType, OrderSide } from './account-engine';
import { BinanceApiError, binanceErrors } from './binance-errors';
import { fixed, plain } from './decimal-format';
import { exchangeInfoResponse, leverageBracketResponse, maxNotionalForLeverage, type InstrumentSpec } from './exchange-info';
import { klineRow } from './kline-format';
import type { MarketReplay } from './market-replay';
import type { RequestParams } from './request-params';
import type { ResponseFormatter } from './rest-responses';

export interface RestContext {
  readonly spec: InstrumentSpec;
  readonly replay: MarketReplay;
  readonly engine: AccountEngine;
  readonly format: ResponseFormatter;
  /** The replay clock (Unix ms). */
  serverTime(): number;
  /** An armed order-rejection fault, if any. */
  takeOrderRejection(): BinanceApiError | undefined;
  /** Called after orders changed the account (e.g. for logging). */
  onOrder?(description: string): void;
}

export interface Route {
  readonly signed: boolean;
  handle(params: RequestParams, ctx: RestContext): unknown;
}

const DAY_MS = 86_400_000;
const FUNDING_INTERVAL_MS = 8 * 3_600_000;
const CONDITIONAL_TYPES = ['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'];
const CANCEL_ALL_DONE = { code: 200, msg: 'The operation of cancel all open order is done.' };

function symbolParam(params: RequestParams, ctx: RestContext, required: boolean): string | undefined {
  const symbol = required ? params.requiredString('symbol') : params.string('symbol');
  if (symbol !== undefined && symbol !== ctx.spec.symbol) throw binanceErrors.invalidSymbol();
  return symbol;
}

function sideParam(params: RequestParams): OrderSide {
  const side = params.requiredString('side');
  if (side !== 'BUY' && side !== 'SELL') throw binanceErrors.invalidSide();
  return side;
}

function oneWayOnly(params: RequestParams): void {
  const positionSide = params.string('positionSide');
  if (positionSide !== undefined && positionSide !== 'BOTH') throw binanceErrors.positionSideMismatch();
}

function placeOrder(params: RequestParams, ctx: RestContext): unknown {
  symbolParam(params, ctx, true);
  const side = sideParam(params);
  const type = params.requiredString('type');
  if (CONDITIONAL_TYPES.includes(type)) throw binanceErrors.useAlgoOrderApi();
  if (type !== 'MARKET') {
    throw binanceErrors.invalidOrderType('The local exchange fills MARKET orders only (conditional orders go to /fapi/v1/algoOrder).');
  }
  oneWayOnly(params);
  const quantity = params.requiredDecimal('quantity');
  const reduceOnly = params.bool('reduceOnly', false);
  const clientOrderId = params.string('newClientOrderId');
  const respType = params.string('newOrderRespType') ?? 'ACK';
  if (respType !== 'ACK' && respType !== 'RESULT') throw binanceErrors.invalidParamValue('newOrderRespType');
  const rejection = ctx.takeOrderRejection();
  if (rejection !== undefined) throw rejection;
  const order = ctx.engine.placeMarketOrder({ side, quantity, reduceOnly, clientOrderId }, ctx.replay.lastPrice(), ctx.serverTime());
  ctx.onOrder?.(`${side} ${ctx.format.qty(order.executedQtySteps)} MARKET filled at ${ctx.format.fillPrice(order.avgPrice)} (${order.clientOrderId})`);
  return ctx.format.order(order, { ack: respType === 'ACK' });
}

function placeAlgoOrder(params: RequestParams, ctx: RestContext): unknown {
  const algoType = params.requiredString('algoType');
  if (algoType !== 'CONDITIONAL') throw binanceErrors.invalidParamValue('algoType');
  symbolParam(params, ctx, true);
  const side = sideParam(params);
  const type = params.requiredString('type');
  if (type !== 'STOP_MARKET' && type !== 'TAKE_PROFIT_MARKET') {
    throw binanceErrors.invalidOrderType('The local exchange supports STOP_MARKET and TAKE_PROFIT_MARKET conditional orders.');
  }
  oneWayOnly(params);
  const request = {
    side,
    type: type as ConditionalType,
    quantity: params.decimal('quantity'),
    triggerPrice: params.requiredDecimal('triggerPrice'),
    reduceOnly: params.bool('reduceOnly', false),
    closePosition: params.bool('closePosition', false),
    clientAlgoId: params.string('clientAlgoId'),
  };
  const rejection = ctx.takeOrderRejection();
  if (rejection !== undefined) throw rejection;
  const order = ctx.engine.placeConditionalOrder(request, ctx.replay.lastPrice(), ctx.serverTime());
  ctx.onOrder?.(`${side} ${type} at ${ctx.format.price(order.triggerPrice)} placed (${order.clientAlgoId})`);
  return ctx.format.algoOrder(order);
}

function orderLookup(params: RequestParams) {
  const orderId = params.int('orderId');
  if (orderId !== undefined) return { orderId };
  const clientOrderId = params.string('origClientOrderId');
  if (clientOrderId !== undefined) return { clientOrderId };
  throw binanceErrors.eitherParam('orderId', 'origClientOrderId');
}

function algoLookup(params: RequestParams) {
  const algoId = params.int('algoId');
  if (algoId !== undefined) return { algoId };
  const clientAlgoId = params.string('clientAlgoId');
  if (clientAlgoId !== undefined) return { clientAlgoId };
  throw binanceErrors.eitherParam('algoId', 'clientAlgoId');
}

function klines(params: RequestParams, ctx: RestContext): unknown {
  symbolParam(params, ctx, true);
  if (params.requiredString('interval') !== '1m') throw binanceErrors.invalidInterval();
  const limit = params.limit(500, 1500);
  const startTime = params.int('startTime');
  const endTime = params.int('endTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw new BinanceApiError(400, -1023, 'Start time is greater than end time.');
  }
  return ctx.replay.klines({ startTime, endTime, limit }).map(klineRow);
}

function tickerPrice(params: RequestParams, ctx: RestContext): unknown {
  const one = { symbol: ctx.spec.symbol, price: plain(ctx.replay.lastPrice()), time: ctx.serverTime() };
  return symbolParam(params, ctx, false) === undefined ? [one] : one;
}

function ticker24hr(params: RequestParams, ctx: RestContext): unknown {
  const now = ctx.serverTime();
  const bars: Bar[] = ctx.replay.closedSince(now - DAY_MS);
  const last = ctx.replay.lastPrice();
  const open = bars[0]?.open ?? last;
  const volume = bars.reduce((v, b) => v + b.volume, 0);
  const quoteVolume = bars.reduce((v, b) => v + (b.volume * (b.high + b.low + b.close)) / 3, 0);
  const one = {
    symbol: ctx.spec.symbol,
    priceChange: fixed(last - open, 2),
    priceChangePercent: fixed(((last - open) / open) * 100, 3),
    weightedAvgPrice: fixed(volume > 0 ? quoteVolume / volume : last, 2),
    lastPrice: plain(last),
    lastQty: ctx.spec.minQty,
    openPrice: plain(open),
    highPrice: plain(bars.reduce((h, b) => Math.max(h, b.high), last)),
    lowPrice: plain(bars.reduce((l, b) => Math.min(l, b.low), last)),
    volume: fixed(volume, 3),
    quoteVolume: fixed(quoteVolume, 2),
    openTime: bars[0]?.openTime ?? now,
    closeTime: now,
    firstId: 0,
    lastId: 0,
    count: 0,
  };
  return symbolParam(params, ctx, false) === undefined ? [one] : one;
}

function premiumIndex(params: RequestParams, ctx: RestContext): unknown {
  const now = ctx.serverTime();
  const price = plain(ctx.replay.lastPrice());
  const one = {
    symbol: ctx.spec.symbol,
    markPrice: price,
    indexPrice: price,
    estimatedSettlePrice: price,
    lastFundingRate: '0.00000000',
    interestRate: '0.00010000',
    nextFundingTime: (Math.floor(now / FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS,
    time: now,
  };
  return symbolParam(params, ctx, false) === undefined ? [one] : one;
}

function inTimeRange(time: number, params: RequestParams): boolean {
  const startTime = params.int('startTime');
  const endTime = params.int('endTime');
  return (startTime === undefined || time >= startTime) && (endTime === undefined || time <= endTime);
}

const state = (ctx: RestContext) => ctx.engine.state(ctx.replay.lastPrice());

export const REST_ROUTES: Readonly<Record<string, Route>> = {
  'GET /fapi/v1/ping': { signed: false, handle: () => ({}) },
  'GET /fapi/v1/time': { signed: false, handle: (_p, ctx) => ({ serverTime: ctx.serverTime() }) },
  'GET /fapi/v1/exchangeInfo': { signed: false, handle: (_p, ctx) => exchangeInfoResponse(ctx.spec, ctx.serverTime()) },
  'GET /fapi/v1/klines': { signed: false, handle: klines },
  'GET /fapi/v1/ticker/price': { signed: false, handle: tickerPrice },
  'GET /fapi/v2/ticker/price': { signed: false, handle: tickerPrice },
  'GET /fapi/v1/ticker/24hr': { signed: false, handle: ticker24hr },
  'GET /fapi/v1/premiumIndex': { signed: false, handle: premiumIndex },

  'POST /fapi/v1/order': { signed: true, handle: placeOrder },
  'GET /fapi/v1/order': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      const order = ctx.engine.findOrder(orderLookup(params));
      if (order === undefined) throw binanceErrors.orderDoesNotExist();
      return ctx.format.order(order, { withTime: true });
    },
  },
  // Market orders fill at once, so no regular order is ever open to cancel (Binance: -2011 Unknown order sent).
  'DELETE /fapi/v1/order': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      orderLookup(params);
      throw binanceErrors.cancelRejected();
    },
  },
  'GET /fapi/v1/openOrders': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, false);
      return [];
    },
  },
  'GET /fapi/v1/openOrder': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      orderLookup(params);
      throw binanceErrors.orderDoesNotExist();
    },
  },
  'DELETE /fapi/v1/allOpenOrders': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      return CANCEL_ALL_DONE;
    },
  },
  'GET /fapi/v1/allOrders': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      const fromId = params.int('orderId');
      const limit = params.limit(500, 1000);
      return ctx.engine
        .allOrders()
        .filter((o) => (fromId === undefined || o.orderId >= fromId) && inTimeRange(o.time, params))
        .slice(0, limit)
        .map((o) => ctx.format.order(o, { withTime: true }));
    },
  },

  'POST /fapi/v1/algoOrder': { signed: true, handle: placeAlgoOrder },
  'GET /fapi/v1/algoOrder': {
    signed: true,
    handle: (params, ctx) => {
      const order = ctx.engine.findConditionalOrder(algoLookup(params));
      if (order === undefined) throw binanceErrors.orderDoesNotExist();
      return ctx.format.algoOrder(order);
    },
  },
  'DELETE /fapi/v1/algoOrder': {
    signed: true,
    handle: (params, ctx) => {
      const order = ctx.engine.cancelConditionalOrder(algoLookup(params), ctx.serverTime());
      ctx.onOrder?.(`conditional order ${order.clientAlgoId} canceled`);
      return { algoId: order.algoId, clientAlgoId: order.clientAlgoId, code: '200', msg: 'success' };
    },
  },
  'GET /fapi/v1/openAlgoOrders': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, false);
      return ctx.engine.openAlgoOrders().map((o) => ctx.format.algoOrder(o));
    },
  },
  'DELETE /fapi/v1/algoOpenOrders': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      ctx.engine.cancelAllConditionalOrders(ctx.serverTime());
      return CANCEL_ALL_DONE;
    },
  },
  'GET /fapi/v1/allAlgoOrders': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      const limit = params.limit(500, 1000);
      return ctx.engine
        .allConditionalOrders()
        .filter((o) => inTimeRange(o.createTime, params))
        .slice(0, limit)
        .map((o) => ctx.format.algoOrder(o));
    },
  },

  'GET /fapi/v1/userTrades': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      const fromId = params.int('fromId');
      const limit = params.limit(500, 1000);
      return ctx.engine
        .trades()
        .filter((t) => (fromId === undefined || t.id >= fromId) && inTimeRange(t.time, params))
        .slice(0, limit)
        .map((t) => ctx.format.trade(t));
    },
  },
  'GET /fapi/v2/positionRisk': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, false);
      return ctx.format.positionRiskV2(state(ctx));
    },
  },
  'GET /fapi/v3/positionRisk': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, false);
      return ctx.format.positionRiskV3(state(ctx));
    },
  },
  'GET /fapi/v2/account': { signed: true, handle: (_p, ctx) => ctx.format.accountV2(state(ctx)) },
  'GET /fapi/v3/account': { signed: true, handle: (_p, ctx) => ctx.format.accountV3(state(ctx)) },
  'GET /fapi/v2/balance': { signed: true, handle: (_p, ctx) => ctx.format.balance(state(ctx)) },
  'GET /fapi/v3/balance': { signed: true, handle: (_p, ctx) => ctx.format.balance(state(ctx)) },
  'GET /fapi/v1/leverageBracket': {
    signed: true,
    handle: (params, ctx) => {
      const [entry] = leverageBracketResponse(ctx.spec);
      return symbolParam(params, ctx, false) === undefined ? [entry] : entry;
    },
  },
  'POST /fapi/v1/leverage': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      const leverage = params.requiredInt('leverage');
      ctx.engine.setLeverage(leverage);
      return { leverage, maxNotionalValue: String(maxNotionalForLeverage(leverage)), symbol: ctx.spec.symbol };
    },
  },
  'POST /fapi/v1/marginType': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      const marginType = params.requiredString('marginType');
      if (marginType !== 'ISOLATED' && marginType !== 'CROSSED') throw binanceErrors.invalidParamValue('marginType');
      ctx.engine.setMarginType(marginType);
      return { code: 200, msg: 'success' };
    },
  },
  'GET /fapi/v1/positionSide/dual': { signed: true, handle: () => ({ dualSidePosition: false }) },
  'GET /fapi/v1/commissionRate': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      const taker = ctx.engine.takerFeeRate;
      return { symbol: ctx.spec.symbol, makerCommissionRate: fixed(taker / 2, 6), takerCommissionRate: fixed(taker, 6) };
    },
  },
};
