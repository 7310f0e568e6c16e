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
import { bracketsOf, leverageBracketResponse, maxNotionalForLeverage } from './exchange-info';
import { accountV2, accountV3, balance } from './rest-account-responses';
import { inTimeRange, marketParam, marketsParam, stateOf, type RestContext, type Route } from './rest-context';
import { MARKET_ROUTES } from './rest-market-routes';
import { ORDER_ROUTES } from './rest-order-routes';

export type { RestContext, Route } from './rest-context';

const QUOTE = 'USDT';
const positions = (ctx: RestContext) => ctx.markets.list().map((m) => ({ format: m.format, state: stateOf(m) }));

// The market-data and order routes live in rest-market-routes.ts and rest-order-routes.ts; the account routes here.
export const REST_ROUTES: Readonly<Record<string, Route>> = {
  ...MARKET_ROUTES,
  ...ORDER_ROUTES,

  'GET /fapi/v1/userTrades': {
    signed: true,
    handle: (params, ctx) => {
      const m = marketParam(params, ctx);
      const fromId = params.int('fromId');
      const limit = params.limit(500, 1000);
      return m.engine
        .trades()
        .filter((t) => (fromId === undefined || t.id >= fromId) && inTimeRange(t.time, params))
        .slice(0, limit)
        .map((t) => m.format.trade(t));
    },
  },
  'GET /fapi/v1/income': {
    signed: true,
    handle: (params, ctx) => {
      const symbol = params.string('symbol');
      if (symbol !== undefined) ctx.markets.require(symbol);
      const type = params.string('incomeType');
      const limit = params.limit(100, 1000);
      const format = ctx.markets.first.format;
      return ctx.markets.ledger
        .income()
        .filter((r) => (type === undefined || r.incomeType === type) && (symbol === undefined || r.symbol === symbol) && inTimeRange(r.time, params))
        .slice(0, limit)
        .map((r) => format.income(r));
    },
  },
  'GET /fapi/v2/positionRisk': {
    signed: true,
    handle: (params, ctx) => marketsParam(params, ctx).markets.flatMap((m) => m.format.positionRiskV2(stateOf(m))),
  },
  'GET /fapi/v3/positionRisk': {
    signed: true,
    handle: (params, ctx) => marketsParam(params, ctx).markets.flatMap((m) => m.format.positionRiskV3(stateOf(m))),
  },
  'GET /fapi/v2/account': { signed: true, handle: (_p, ctx) => accountV2(ctx.markets.totals(), QUOTE, positions(ctx)) },
  'GET /fapi/v3/account': { signed: true, handle: (_p, ctx) => accountV3(ctx.markets.totals(), QUOTE, positions(ctx)) },
  'GET /fapi/v2/balance': { signed: true, handle: (_p, ctx) => balance(ctx.markets.totals(), QUOTE) },
  'GET /fapi/v3/balance': { signed: true, handle: (_p, ctx) => balance(ctx.markets.totals(), QUOTE) },
  'GET /fapi/v1/leverageBracket': {
    signed: true,
    handle: (params, ctx) => {
      const { markets, one } = marketsParam(params, ctx);
      const entries = leverageBracketResponse(...markets.map((m) => m.spec));
      return one ? entries[0] : entries;
    },
  },
  'POST /fapi/v1/leverage': {
    signed: true,
    handle: (params, ctx) => {
      const m = marketParam(params, ctx);
      const leverage = params.requiredInt('leverage');
      m.engine.setLeverage(leverage);
      return { leverage, maxNotionalValue: String(maxNotionalForLeverage(leverage, bracketsOf(m.spec))), symbol: m.symbol };
    },
  },
  'POST /fapi/v1/marginType': {
    signed: true,
    handle: (params, ctx) => {
      const m = marketParam(params, ctx);
      const marginType = params.requiredString('marginType');
      if (marginType !== 'ISOLATED' && marginType !== 'CROSSED') throw binanceErrors.invalidParamValue('marginType');
      m.engine.setMarginType(marginType);
      return { code: 200, msg: 'success' };
    },
  },
  'GET /fapi/v1/positionSide/dual': { signed: true, handle: (_p, ctx) => ({ dualSidePosition: ctx.positionMode.dualSidePosition }) },
  'POST /fapi/v1/positionSide/dual': {
    signed: true,
    handle: (params, ctx) => {
      const dual = params.string('dualSidePosition');
      if (dual === undefined) throw binanceErrors.mandatoryParam('dualSidePosition');
      // The mode is the account's: any symbol's position or open orders block a change.
      const markets = ctx.markets.list();
      const account = { hasPosition: markets.some((m) => m.engine.hasPosition), openOrders: markets.reduce((n, m) => n + m.engine.openAlgoOrders().length, 0) };
      ctx.positionMode.set(params.bool('dualSidePosition', false), account);
      return { code: 200, msg: 'success' };
    },
  },
  'GET /fapi/v1/commissionRate': {
    signed: true,
    handle: (params, ctx) => {
      const m = marketParam(params, ctx);
      const taker = m.engine.takerFeeRate;
      return { symbol: m.symbol, makerCommissionRate: fixed(taker / 2, 6), takerCommissionRate: fixed(taker, 6) };
    },
  },
};
