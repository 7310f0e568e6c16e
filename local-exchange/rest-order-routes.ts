// The order routes: regular (MARKET) orders and the Algo Service's conditional orders, placed, looked up,
// listed and cancelled, with Binance's parameter checks before the symbol's account engine sees a request.
// Algo orders are looked up and cancelled by id alone (Binance's algoOrder routes take no symbol).
import type { AlgoLookup, AlgoOrderRecord, ConditionalOrderRequest, WireOrderSide } from './account-types';
import { binanceErrors } from './binance-errors';
import type { SymbolMarket } from './market-registry';
import type { RequestParams } from './request-params';
import { inTimeRange, marketParam, marketsParam, type RestContext, type Route } from './rest-context';

const CONDITIONAL_TYPES = ['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'];
const CANCEL_ALL_DONE = { code: 200, msg: 'The operation of cancel all open order is done.' };

function sideParam(params: RequestParams): WireOrderSide {
  const side = params.requiredString('side');
  if (side !== 'BUY' && side !== 'SELL') throw binanceErrors.invalidSide();
  return side;
}

// Log lines name the symbol once the exchange lists several.
const tag = (m: SymbolMarket, ctx: RestContext) => (ctx.markets.list().length > 1 ? `${m.symbol} ` : '');

function placeOrder(params: RequestParams, ctx: RestContext): unknown {
  const m = marketParam(params, ctx);
  const side = sideParam(params);
  const type = params.requiredString('type');
  if (CONDITIONAL_TYPES.includes(type)) throw binanceErrors.useAlgoOrderApi();
  if (type !== 'MARKET') {
    throw binanceErrors.invalidOrderType('The local exchange fills MARKET orders only (conditional orders go to /fapi/v1/algoOrder).');
  }
  ctx.positionMode.checkOrder(params.string('positionSide'));
  const quantity = params.requiredDecimal('quantity');
  const reduceOnly = params.bool('reduceOnly', false);
  const clientOrderId = params.string('newClientOrderId');
  const respType = params.string('newOrderRespType') ?? 'ACK';
  if (respType !== 'ACK' && respType !== 'RESULT') throw binanceErrors.invalidParamValue('newOrderRespType');
  const rejection = ctx.takeOrderRejection();
  if (rejection !== undefined) throw rejection;
  const order = m.engine.placeMarketOrder({ side, quantity, reduceOnly, clientOrderId }, m.replay.lastPrice(), ctx.serverTime());
  ctx.onOrder?.(
    `${tag(m, ctx)}${side} ${m.format.qty(order.executedQtySteps)} MARKET filled at ${m.format.fillPrice(order.avgPrice)} (${order.clientOrderId})`,
  );
  return m.format.order(order, { ack: respType === 'ACK' });
}

function placeAlgoOrder(params: RequestParams, ctx: RestContext): unknown {
  const algoType = params.requiredString('algoType');
  if (algoType !== 'CONDITIONAL') throw binanceErrors.invalidParamValue('algoType');
  const m = marketParam(params, ctx);
  const side = sideParam(params);
  const type = params.requiredString('type');
  if (type !== 'STOP_MARKET' && type !== 'TAKE_PROFIT_MARKET') {
    throw binanceErrors.invalidOrderType('The local exchange supports STOP_MARKET and TAKE_PROFIT_MARKET conditional orders.');
  }
  ctx.positionMode.checkOrder(params.string('positionSide'));
  const request: ConditionalOrderRequest = {
    side,
    type,
    quantity: params.decimal('quantity'),
    triggerPrice: params.requiredDecimal('triggerPrice'),
    reduceOnly: params.bool('reduceOnly', false),
    closePosition: params.bool('closePosition', false),
    clientAlgoId: params.string('clientAlgoId'),
  };
  const rejection = ctx.takeOrderRejection();
  if (rejection !== undefined) throw rejection;
  const order = m.engine.placeConditionalOrder(request, m.replay.lastPrice(), ctx.serverTime());
  ctx.onOrder?.(`${tag(m, ctx)}${side} ${type} at ${m.format.price(order.triggerPrice)} placed (${order.clientAlgoId})`);
  return m.format.algoOrder(order);
}

/** The algo order with this id, whichever symbol it is on. */
function findAlgo(ctx: RestContext, lookup: AlgoLookup): { market: SymbolMarket; order: AlgoOrderRecord } | undefined {
  for (const market of ctx.markets.list()) {
    const order = market.engine.findConditionalOrder(lookup);
    if (order !== undefined) return { market, order };
  }
  return undefined;
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

export const ORDER_ROUTES: Readonly<Record<string, Route>> = {
  'POST /fapi/v1/order': { signed: true, handle: placeOrder },
  'GET /fapi/v1/order': {
    signed: true,
    handle: (params, ctx) => {
      const m = marketParam(params, ctx);
      const order = m.engine.findOrder(orderLookup(params));
      if (order === undefined) throw binanceErrors.orderDoesNotExist();
      return m.format.order(order, { withTime: true });
    },
  },
  // Market orders fill at once, so no regular order is ever open to cancel (Binance: -2011 Unknown order sent).
  'DELETE /fapi/v1/order': {
    signed: true,
    handle: (params, ctx) => {
      marketParam(params, ctx);
      orderLookup(params);
      throw binanceErrors.cancelRejected();
    },
  },
  'GET /fapi/v1/openOrders': {
    signed: true,
    handle: (params, ctx) => {
      marketsParam(params, ctx);
      return [];
    },
  },
  'GET /fapi/v1/openOrder': {
    signed: true,
    handle: (params, ctx) => {
      marketParam(params, ctx);
      orderLookup(params);
      throw binanceErrors.orderDoesNotExist();
    },
  },
  'DELETE /fapi/v1/allOpenOrders': {
    signed: true,
    handle: (params, ctx) => {
      marketParam(params, ctx);
      return CANCEL_ALL_DONE;
    },
  },
  'GET /fapi/v1/allOrders': {
    signed: true,
    handle: (params, ctx) => {
      const m = marketParam(params, ctx);
      const fromId = params.int('orderId');
      const limit = params.limit(500, 1000);
      return m.engine
        .allOrders()
        .filter((o) => (fromId === undefined || o.orderId >= fromId) && inTimeRange(o.time, params))
        .slice(0, limit)
        .map((o) => m.format.order(o, { withTime: true }));
    },
  },

  'POST /fapi/v1/algoOrder': { signed: true, handle: placeAlgoOrder },
  'GET /fapi/v1/algoOrder': {
    signed: true,
    handle: (params, ctx) => {
      const found = findAlgo(ctx, algoLookup(params));
      if (found === undefined) throw binanceErrors.orderDoesNotExist();
      return found.market.format.algoOrder(found.order);
    },
  },
  'DELETE /fapi/v1/algoOrder': {
    signed: true,
    handle: (params, ctx) => {
      const lookup = algoLookup(params);
      const found = findAlgo(ctx, lookup);
      if (found === undefined) throw binanceErrors.cancelRejected();
      const order = found.market.engine.cancelConditionalOrder(lookup, ctx.serverTime());
      ctx.onOrder?.(`${tag(found.market, ctx)}conditional order ${order.clientAlgoId} canceled`);
      return { algoId: order.algoId, clientAlgoId: order.clientAlgoId, code: '200', msg: 'success' };
    },
  },
  'GET /fapi/v1/openAlgoOrders': {
    signed: true,
    handle: (params, ctx) => {
      return marketsParam(params, ctx).markets.flatMap((m) => m.engine.openAlgoOrders().map((o) => m.format.algoOrder(o)));
    },
  },
  'DELETE /fapi/v1/algoOpenOrders': {
    signed: true,
    handle: (params, ctx) => {
      marketParam(params, ctx).engine.cancelAllConditionalOrders(ctx.serverTime());
      return CANCEL_ALL_DONE;
    },
  },
  'GET /fapi/v1/allAlgoOrders': {
    signed: true,
    handle: (params, ctx) => {
      const m = marketParam(params, ctx);
      const limit = params.limit(500, 1000);
      return m.engine
        .allConditionalOrders()
        .filter((o) => inTimeRange(o.createTime, params))
        .slice(0, limit)
        .map((o) => m.format.algoOrder(o));
    },
  },
};
