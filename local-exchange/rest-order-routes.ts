// The order routes: regular (MARKET) orders and the Algo Service's conditional orders, placed, looked up,
// listed and cancelled, with Binance's parameter checks before the account engine sees a request.
import type { ConditionalOrderRequest, WireOrderSide } from './account-types';
import { binanceErrors } from './binance-errors';
import type { RequestParams } from './request-params';
import { inTimeRange, symbolParam, type RestContext, type Route } from './rest-context';

const CONDITIONAL_TYPES = ['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'];
const CANCEL_ALL_DONE = { code: 200, msg: 'The operation of cancel all open order is done.' };

function sideParam(params: RequestParams): WireOrderSide {
  const side = params.requiredString('side');
  if (side !== 'BUY' && side !== 'SELL') throw binanceErrors.invalidSide();
  return side;
}

function placeOrder(params: RequestParams, ctx: RestContext): unknown {
  symbolParam(params, ctx, true);
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

export const ORDER_ROUTES: Readonly<Record<string, Route>> = {
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
};
