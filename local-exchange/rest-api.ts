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
 * - fetchFundingHistory / fetchLedger: GET /fapi/v1/income
 * - fetchMyTrades: GET /fapi/v1/userTrades            fetchTradingFee: GET /fapi/v1/commissionRate
 * - fetchBalance: GET /fapi/v3/account (useV2: /fapi/v2/account)
 * - fetchPositions: GET /fapi/v1/leverageBracket once, then GET /fapi/v3/positionRisk (useV2: /fapi/v2/positionRisk)
 * - setLeverage: POST /fapi/v1/leverage               setMarginMode: POST /fapi/v1/marginType
 * - fetchPositionMode: GET /fapi/v1/positionSide/dual     setPositionMode: POST /fapi/v1/positionSide/dual
 */
import { binanceErrors } from './binance-errors';
import { fixed } from './decimal-format';
import { leverageBracketResponse, maxNotionalForLeverage } from './exchange-info';
import { inTimeRange, symbolParam, type RestContext, type Route } from './rest-context';
import { MARKET_ROUTES } from './rest-market-routes';
import { ORDER_ROUTES } from './rest-order-routes';

export type { RestContext, Route } from './rest-context';

const state = (ctx: RestContext) => ctx.engine.state(ctx.replay.lastPrice());

// The market-data and order routes live in rest-market-routes.ts and rest-order-routes.ts; the account routes here.
export const REST_ROUTES: Readonly<Record<string, Route>> = {
  ...MARKET_ROUTES,
  ...ORDER_ROUTES,

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
  'GET /fapi/v1/income': {
    signed: true,
    handle: (params, ctx) => {
      const symbol = symbolParam(params, ctx, false);
      const type = params.string('incomeType');
      const limit = params.limit(100, 1000);
      return ctx.engine
        .income()
        .filter((r) => (type === undefined || r.incomeType === type) && (symbol === undefined || r.incomeType !== 'TRANSFER') && inTimeRange(r.time, params))
        .slice(0, limit)
        .map((r) => ctx.format.income(r));
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
  'GET /fapi/v1/positionSide/dual': { signed: true, handle: (_p, ctx) => ({ dualSidePosition: ctx.positionMode.dualSidePosition }) },
  'POST /fapi/v1/positionSide/dual': {
    signed: true,
    handle: (params, ctx) => {
      const dual = params.string('dualSidePosition');
      if (dual === undefined) throw binanceErrors.mandatoryParam('dualSidePosition');
      const account = { hasPosition: state(ctx).positionSteps !== 0, openOrders: ctx.engine.openAlgoOrders().length };
      ctx.positionMode.set(params.bool('dualSidePosition', false), account);
      return { code: 200, msg: 'success' };
    },
  },
  'GET /fapi/v1/commissionRate': {
    signed: true,
    handle: (params, ctx) => {
      symbolParam(params, ctx, true);
      const taker = ctx.engine.takerFeeRate;
      return { symbol: ctx.spec.symbol, makerCommissionRate: fixed(taker / 2, 6), takerCommissionRate: fixed(taker, 6) };
    },
  },
};
