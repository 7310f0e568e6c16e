/**
 * Live order execution on Binance USD-M futures through ccxt's binanceusdm (4.5.84), safe to call again after
 * any failure: Temporal retries activities, and a retry must never trade twice.
 *
 * Idempotency: every order carries a deterministic client order id (domain/client-order-id.ts). Placing an order
 * first looks it up by that id and returns it when it exists; only a missing order is sent. When the answer to a
 * send is lost (timeout, connection cut, 5xx, "execution status unknown"), the order may or may not exist, so the
 * executor waits until the request can no longer be executed (Binance rejects a signed request arriving more than
 * `recvWindow` after its timestamp, also at the matching engine: -5028), looks it up again, and only when it is
 * still absent sends it once more. A retried activity may still overlap an in-flight request of the attempt before
 * it (a crashed worker): give the activity a retry interval longer than recvWindow + clockMarginMs.
 *
 * Lookups by client id (ccxt passes the id in the field each endpoint wants):
 * - market orders:     fetchOrder('', symbol, { clientOrderId })                -> GET /fapi/v1/order?origClientOrderId=
 * - protective orders: fetchOrder('', symbol, { clientOrderId, trigger: true }) -> GET /fapi/v1/algoOrder?clientAlgoId=
 * Both raise ccxt OrderNotFound (-2013) for an unknown id.
 *
 * Fees come from the exchange only: the order's own fee when ccxt reports one (Binance futures orders carry none),
 * else the sum of the order's trades (fetchMyTrades with { orderId }). A filled order whose trades are not listed
 * yet raises the retryable OrderOutcomeUnknownError rather than an estimate.
 *
 * The executor receives a configured ccxt client (dependency injection); it never builds one and never sees keys.
 */
import type { Exchange, Trade } from 'ccxt';
import { z } from 'zod';
import { isOrderNotFound, isRetryableExchangeError, OrderOutcomeUnknownError, OrderRejectedError } from './exchange-errors';
import {
  accountSchema,
  orderSchema,
  parseExchangeData,
  positionSchema,
  tradeSchema,
  type ParsedMarket,
  type ParsedOrder,
  type ParsedTrade,
} from './exchange-replies';
import type {
  CancelResult,
  ExchangeFilters,
  ExchangePosition,
  LiveExecutorOptions,
  MarketOrderRequest,
  OrderReport,
  OrderSide,
  ProtectiveFill,
  ProtectiveOrderIds,
  ProtectiveOrderRequest,
  ProtectiveOrders,
} from './execution-types';
import { fillFromTrades, toOrderReport, type OrderFill } from './order-report';
import { readAccountSnapshot } from './account-snapshot';
import type { AccountSnapshot } from '../domain/trading';
import { checkClientOrderId, OrderSender } from './order-sender';
import { decimalsOf, filtersOf, floorToStep, loadPerpetualMarket, roundToTick } from './symbol-filters';

// The executor's API in one place: callers import everything from this module.
export { isRetryableExchangeError, OrderOutcomeUnknownError, OrderRejectedError } from './exchange-errors';
export type * from './execution-types';

export class LiveExecutor {
  private readonly recvWindow: number;
  private readonly orders: OrderSender;
  private market: ParsedMarket | undefined;
  private filters: ExchangeFilters | undefined;

  /**
   * @param exchange a ccxt binanceusdm client with API keys (see binance/exchange-client.ts)
   * @param symbol the exchange's symbol, e.g. 'BTCUSDT' (ccxt market 'BTC/USDT:USDT')
   */
  constructor(
    private readonly exchange: Exchange,
    private readonly symbol: string,
    options: LiveExecutorOptions = {},
  ) {
    this.recvWindow = options.recvWindow ?? 5_000;
    const clockMarginMs = options.clockMarginMs ?? 1_000;
    if (!(this.recvWindow > 0 && this.recvWindow <= 60_000)) throw new Error(`recvWindow must be in (0, 60000] ms, got ${this.recvWindow}`);
    if (!(clockMarginMs >= 0)) throw new Error(`clockMarginMs must be >= 0, got ${clockMarginMs}`);
    this.orders = new OrderSender(exchange, symbol, () => this.loadedMarket(), {
      recvWindow: this.recvWindow,
      clockMarginMs,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    });
  }

  /** The instrument's trading filters (loads the markets once). */
  async loadFilters(): Promise<ExchangeFilters> {
    if (this.filters !== undefined) return this.filters;
    const market = await loadPerpetualMarket(this.exchange, this.symbol);
    this.market = market;
    this.filters = filtersOf(market);
    return this.filters;
  }

  /** `qty` floored to the quantity step (counted in whole steps: 0.7 / 0.001 is 699.99.. in floats, yet 0.7 stays 0.7). Needs loadFilters() first. */
  roundQty(qty: number): number {
    return floorToStep(qty, this.loadedFilters().qtyStep);
  }

  /** `price` rounded to the nearest tick. Needs loadFilters() first. */
  roundPrice(price: number): number {
    return roundToTick(price, this.loadedFilters().tickSize);
  }

  /** Throws OrderRejectedError when qty x price is below the exchange's minimum notional. Needs loadFilters() first. */
  checkNotional(qty: number, price: number): void {
    const { minNotional } = this.loadedFilters();
    const notional = qty * price;
    if (!(notional >= minNotional)) {
      throw new OrderRejectedError(
        `Order refused: notional ${notional.toFixed(2)} (qty ${qty} x price ${price}) is below ${this.symbol}'s minimum notional of ${minNotional}`,
      );
    }
  }

  /**
   * A market order with a client id, or the existing order with that id (a retry never trades twice).
   * The quantity is rounded down to the step; an opening order below the minimum notional is refused.
   */
  async placeMarketOrder(request: MarketOrderRequest): Promise<OrderReport> {
    const market = await this.loadedMarket();
    const id = checkClientOrderId(request.clientOrderId);
    let order = await this.orders.lookup('regular', id);
    if (order === undefined) {
      const qty = this.roundQty(request.qty);
      this.checkMinQty(request.qty, qty);
      if (!request.reduceOnly) this.checkNotional(qty, request.referencePrice ?? (await this.lastPrice()));
      const params = { clientOrderId: id, recvWindow: this.recvWindow, ...(request.reduceOnly ? { reduceOnly: true } : {}) };
      order = await this.orders.send('regular', id, () => this.exchange.createOrder(market.symbol, 'market', request.side, qty, undefined, params), true);
    }
    return this.reportWithFills(await this.settled(order, id), id);
  }

  /**
   * Reduce-only STOP_MARKET and TAKE_PROFIT_MARKET orders on the opposite side of the position (Binance's Algo
   * Service: ccxt sends orders with stopLossPrice / takeProfitPrice to POST /fapi/v1/algoOrder), trigger prices
   * rounded to the tick. Each is looked up by its client id first, so a retry returns the orders already placed.
   */
  async placeProtectiveOrders(request: ProtectiveOrderRequest): Promise<ProtectiveOrders> {
    const market = await this.loadedMarket();
    const ids = { sl: checkClientOrderId(request.clientOrderIds.sl), tp: checkClientOrderId(request.clientOrderIds.tp) };
    const long = request.positionSide === 'LONG';
    const side: OrderSide = long ? 'sell' : 'buy';
    const stop = this.roundPrice(request.stopPrice);
    const take = this.roundPrice(request.takeProfitPrice);
    if (long ? !(stop < take) : !(stop > take)) {
      throw new OrderRejectedError(
        `Protective prices of a ${request.positionSide} position need the stop ${long ? 'below' : 'above'} the take-profit, got stop ${stop}, take-profit ${take}`,
      );
    }
    const qty = this.roundQty(request.qty);
    this.checkMinQty(request.qty, qty);
    const place = async (clientOrderId: string, trigger: { stopLossPrice: number } | { takeProfitPrice: number }) => {
      const params = { ...trigger, reduceOnly: true, clientOrderId, recvWindow: this.recvWindow };
      const existing = await this.orders.lookup('algo', clientOrderId);
      return existing ?? this.orders.send('algo', clientOrderId, () => this.exchange.createOrder(market.symbol, 'market', side, qty, undefined, params), true);
    };
    // The stop first: it is the one that limits the loss.
    const stopLoss = this.report(await place(ids.sl, { stopLossPrice: stop }), ids.sl);
    const takeProfit = this.report(await place(ids.tp, { takeProfitPrice: take }), ids.tp);
    return { stopLoss, takeProfit };
  }

  /** Cancels the protective orders still open; ids already gone are listed, not errors. Idempotent. */
  async cancelProtectiveOrders(ids: ProtectiveOrderIds): Promise<CancelResult> {
    const market = await this.loadedMarket();
    const result: CancelResult = { canceled: [], alreadyGone: [] };
    for (const id of [ids.sl, ids.tp]) {
      try {
        await this.exchange.cancelOrder('', market.symbol, { clientOrderId: id, trigger: true, recvWindow: this.recvWindow });
        result.canceled.push(id);
      } catch (err) {
        // -2011 Unknown order / -2013 Order does not exist: triggered, expired, cancelled or never placed.
        if (isOrderNotFound(err)) {
          result.alreadyGone.push(id);
          continue;
        }
        if (isRetryableExchangeError(err)) throw err;
        // Another refusal: fine if the order is no longer open.
        const order = await this.orders.lookup('algo', id);
        if (order !== undefined && order.status === 'open') throw err;
        result.alreadyGone.push(id);
      }
    }
    return result;
  }

  /**
   * The fill of whichever protective order has triggered (stop-loss checked first), or null when neither has:
   * how the bot learns that the exchange closed its position between two bars.
   */
  async protectiveFill(ids: ProtectiveOrderIds): Promise<ProtectiveFill | null> {
    const market = await this.loadedMarket();
    for (const [purpose, id] of [
      ['sl', ids.sl],
      ['tp', ids.tp],
    ] as const) {
      const algo = await this.orders.lookup('algo', id);
      if (algo === undefined || algo.status !== 'closed') continue;
      const actualId = algo.info.actualOrderId;
      // The order it became: by its exchange id, else by the client id it carries (the local exchange keeps it).
      const actual =
        actualId !== undefined && actualId !== null && String(actualId) !== ''
          ? parseExchangeData(orderSchema, await this.exchange.fetchOrder(String(actualId), market.symbol), `order ${actualId}`)
          : await this.orders.lookup('regular', id);
      if (actual === undefined) throw new OrderOutcomeUnknownError(`Protective order ${id} triggered, but the order it became is not visible yet`);
      if (actual.status === 'open') throw new OrderOutcomeUnknownError(`Protective order ${id} triggered; its market order ${actual.id} is not filled yet`);
      // A triggered order the exchange then refused (e.g. nothing left to reduce) closed nothing.
      if (actual.status !== 'closed' || !((actual.filled ?? 0) > 0)) continue;
      return { ...(await this.reportWithFills(actual, id)), purpose };
    }
    return null;
  }

  /** The open position of the symbol (one-way mode). */
  async fetchPosition(): Promise<ExchangePosition> {
    const market = await this.loadedMarket();
    const positions = parseExchangeData(z.array(positionSchema), await this.exchange.fetchPositions([market.symbol]), 'positions');
    const open = positions.find((p) => p.symbol === market.symbol && (p.contracts ?? 0) > 0);
    if (open === undefined) return { side: null, qty: 0, entryPrice: null };
    if (open.side !== 'long' && open.side !== 'short') throw new Error(`Position of ${this.symbol} has ${open.contracts} contracts but no side`);
    const step = this.loadedFilters().qtyStep;
    const qty = Number(((open.contracts ?? 0) * (open.contractSize ?? 1)).toFixed(decimalsOf(step)));
    return { side: open.side === 'long' ? 'LONG' : 'SHORT', qty, entryPrice: open.entryPrice ?? null };
  }

  /** The exchange's side of a reconciliation: position, the given protective orders, wallet and funding. */
  async readAccount(protective: ProtectiveOrderIds | null, options: { fundingAfter: number | null; now: number }): Promise<AccountSnapshot> {
    const market = await this.loadedMarket();
    const sources = {
      exchange: this.exchange,
      marketSymbol: market.symbol,
      settle: market.settle,
      fetchPosition: () => this.fetchPosition(),
      lookupAlgo: (id: string) => this.orders.lookup('algo', id),
    };
    return readAccountSnapshot(sources, protective, options);
  }

  /** Equity in the settlement asset (USDT): wallet balance plus unrealised PnL. */
  async fetchEquity(): Promise<number> {
    const market = await this.loadedMarket();
    const balance = await this.exchange.fetchBalance();
    const account = parseExchangeData(accountSchema, balance.info, 'account (fetchBalance info)');
    const asset = account.assets.find((a) => a.asset === market.settle);
    if (asset === undefined) throw new Error(`The futures account lists no ${market.settle} balance`);
    const equity = Number(asset.walletBalance) + Number(asset.unrealizedProfit);
    if (!Number.isFinite(equity)) throw new Error(`Unreadable ${market.settle} balance: wallet ${asset.walletBalance}, unrealised ${asset.unrealizedProfit}`);
    return equity;
  }

  private loadedFilters(): ExchangeFilters {
    if (this.filters === undefined) throw new Error('LiveExecutor: call loadFilters() before rounding or checking orders');
    return this.filters;
  }

  private async loadedMarket(): Promise<ParsedMarket> {
    await this.loadFilters();
    if (this.market === undefined) throw new Error('LiveExecutor: market not loaded');
    return this.market;
  }

  private checkMinQty(requested: number, rounded: number): void {
    const { minQty, qtyStep } = this.loadedFilters();
    if (rounded < minQty) {
      throw new OrderRejectedError(
        `Order refused: qty ${requested} rounds down (step ${qtyStep}) to ${rounded}, below ${this.symbol}'s minimum quantity of ${minQty}`,
      );
    }
  }

  /** The last traded price (sizing entries, the minimum-notional check). */
  async lastPrice(): Promise<number> {
    const ticker = await this.exchange.fetchTicker(this.market?.symbol ?? this.symbol);
    const last = ticker.last ?? ticker.close;
    if (typeof last !== 'number' || !(last > 0)) throw new Error(`No last price for ${this.symbol} from the exchange`);
    return last;
  }

  /** A market order's final state: Binance may answer before the fill is reported. */
  private async settled(order: ParsedOrder, clientOrderId: string): Promise<ParsedOrder> {
    if (order.status !== 'open') return order;
    const market = await this.loadedMarket();
    const again = parseExchangeData(orderSchema, await this.exchange.fetchOrder(order.id, market.symbol), `order ${clientOrderId}`);
    if (again.status === 'open')
      throw new OrderOutcomeUnknownError(`Market order ${clientOrderId} (${order.id}) is not filled yet (${again.filled ?? 0} of ${again.amount})`);
    return again;
  }

  private report(order: ParsedOrder, clientOrderId: string, fill?: OrderFill): OrderReport {
    return toOrderReport(order, clientOrderId, this.market?.settle, fill);
  }

  /** The report of a (possibly) filled order with its fee, average price and time from the exchange. */
  private async reportWithFills(order: ParsedOrder, clientOrderId: string): Promise<OrderReport> {
    const filled = order.filled ?? 0;
    if (!(filled > 0)) return this.report(order, clientOrderId);
    const time = order.lastTradeTimestamp ?? order.timestamp;
    if (order.fee?.cost != null && order.fee.currency != null && order.average != null && time != null) {
      return this.report(order, clientOrderId, { fee: order.fee.cost, feeAsset: order.fee.currency, avgPrice: order.average, time });
    }
    const trades = await this.tradesOf(order);
    return this.report(order, clientOrderId, fillFromTrades(order, clientOrderId, trades, this.loadedFilters().qtyStep, this.market?.settle));
  }

  private async tradesOf(order: ParsedOrder): Promise<ParsedTrade[]> {
    const market = await this.loadedMarket();
    // `since` keeps the page on the order's time (the default window is the last 7 days, oldest first).
    const trades: Trade[] = await this.exchange.fetchMyTrades(market.symbol, order.timestamp ?? undefined, undefined, { orderId: order.id });
    return parseExchangeData(z.array(tradeSchema), trades, `trades of order ${order.id}`).filter((t) => t.order === order.id);
  }
}
