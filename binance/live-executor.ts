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
import type { Exchange, MarketInterface, Order, Trade } from 'ccxt';
import { z } from 'zod';
import { BINANCE_CLIENT_ORDER_ID } from '../domain/client-order-id';

export type OrderSide = 'buy' | 'sell';
export type PositionSide = 'LONG' | 'SHORT';
/** ccxt's unified order status. For a protective (algo) order: open = waiting, closed = triggered. */
export type OrderStatus = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';

export interface ExchangeFilters {
  /** Quantity step (LOT_SIZE stepSize), e.g. 0.001. */
  readonly qtyStep: number;
  readonly minQty: number;
  /** Minimum order notional in the quote asset (MIN_NOTIONAL), e.g. 100; reduce-only orders are exempt. */
  readonly minNotional: number;
  /** Price tick (PRICE_FILTER tickSize), e.g. 0.1. */
  readonly tickSize: number;
}

export interface OrderReport {
  /** The id the bot gave the order (for a triggered protective order: the protective order's id). */
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  readonly status: OrderStatus;
  readonly side: OrderSide;
  /** Binance's order type: MARKET, STOP_MARKET, TAKE_PROFIT_MARKET. */
  readonly type: string;
  readonly reduceOnly: boolean;
  /** Quantity ordered. */
  readonly qty: number;
  readonly filledQty: number;
  /** Average fill price; null when nothing filled. */
  readonly avgPrice: number | null;
  /** Trigger price of a protective order; null for market orders. */
  readonly triggerPrice: number | null;
  /** Fee paid, in feeAsset (0 when nothing filled). */
  readonly fee: number;
  readonly feeAsset: string;
  /** Exchange time (Unix ms) of the last fill, or of the order's creation when nothing filled. */
  readonly time: number;
}

export interface MarketOrderRequest {
  readonly side: OrderSide;
  /** Rounded down to the quantity step before sending. */
  readonly qty: number;
  readonly reduceOnly: boolean;
  readonly clientOrderId: string;
  /** Price for the minimum-notional check; the last traded price is fetched when absent. */
  readonly referencePrice?: number;
}

export interface ProtectiveOrderIds {
  readonly sl: string;
  readonly tp: string;
}

export interface ProtectiveOrderRequest {
  /** The position being protected; the orders are on the opposite side, reduce-only. */
  readonly positionSide: PositionSide;
  readonly qty: number;
  readonly stopPrice: number;
  readonly takeProfitPrice: number;
  readonly clientOrderIds: ProtectiveOrderIds;
}

export interface ProtectiveOrders {
  readonly stopLoss: OrderReport;
  readonly takeProfit: OrderReport;
}

export interface ProtectiveFill extends OrderReport {
  readonly purpose: 'sl' | 'tp';
}

export interface CancelResult {
  /** Ids this call cancelled. */
  readonly canceled: string[];
  /** Ids already gone (triggered, expired, cancelled before, or never placed). */
  readonly alreadyGone: string[];
}

export interface ExchangePosition {
  readonly side: PositionSide | null;
  /** Absolute size in base units; 0 when flat. */
  readonly qty: number;
  /** null when flat. */
  readonly entryPrice: number | null;
}

export interface LiveExecutorOptions {
  /** recvWindow sent with orders and cancels (ms). Default 5,000 (Binance's default). */
  readonly recvWindow?: number;
  /** Allowance for the difference between our clock and the exchange's (ms). Default 1,000. */
  readonly clockMarginMs?: number;
  /** Wall clock (Unix ms); default Date.now. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** An order we refuse to send, or the exchange refused for a reason no retry fixes. Not retryable. */
export class OrderRejectedError extends Error {
  override name = 'OrderRejectedError';
}

/** The exchange has not (yet) confirmed an order's outcome; a retry looks the order up again. Retryable. */
export class OrderOutcomeUnknownError extends Error {
  override name = 'OrderOutcomeUnknownError';
}

/** Class names of an error's prototype chain: works across module copies and JavaScript realms (Jest). */
function errorClassNames(err: unknown): Set<string> {
  const names = new Set<string>();
  if (typeof err !== 'object' || err === null) return names;
  for (let proto: unknown = Object.getPrototypeOf(err); proto !== null && typeof proto === 'object'; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string') names.add(name);
  }
  return names;
}

/**
 * Whether a retry may succeed: ccxt's OperationFailed family (NetworkError and its RequestTimeout,
 * ExchangeNotAvailable, DDoSProtection, RateLimitExceeded, InvalidNonce; BadResponse; Binance's "unknown
 * error / execution status unknown" codes) and OrderOutcomeUnknownError. Everything else (ccxt's ExchangeError
 * family: InsufficientFunds, InvalidOrder, OrderNotFound, AuthenticationError, BadSymbol, BadRequest;
 * OrderRejectedError; programming errors) is not: the activity should fail with ApplicationFailure.nonRetryable.
 */
export function isRetryableExchangeError(err: unknown): boolean {
  const names = errorClassNames(err);
  return names.has('OperationFailed') || names.has('OrderOutcomeUnknownError');
}

// Refusals that happen before an order reaches the matching engine: retryable, but the order surely does not exist.
const REFUSED_BEFORE_EXECUTION = ['DDoSProtection', 'RateLimitExceeded', 'InvalidNonce'];

/** A failure after which an order we sent may or may not exist. */
function isAmbiguousSendError(err: unknown): boolean {
  const names = errorClassNames(err);
  return isRetryableExchangeError(err) && !names.has('OrderOutcomeUnknownError') && !REFUSED_BEFORE_EXECUTION.some((n) => names.has(n));
}

const isOrderNotFound = (err: unknown) => errorClassNames(err).has('OrderNotFound');
// -4116: ccxt maps it to InvalidOrder; the code is in the message (Binance's JSON body).
const isDuplicateClientOrderId = (err: unknown) => err instanceof Error && /-4116\b/.test(err.message);

/** Number of decimals of a step such as 0.001 (also in exponent notation, 1e-8). */
function decimalsOf(step: number): number {
  const text = step.toString();
  const exp = /e-(\d+)$/.exec(text);
  if (exp?.[1] !== undefined) return Number(exp[1]) + (text.split('e')[0]?.split('.')[1]?.length ?? 0);
  return text.split('.')[1]?.length ?? 0;
}

// Tolerance for float artefacts when counting steps (0.7 / 0.001 = 699.9999999999999).
const STEP_EPSILON = 1e-9;

const positiveNumber = z.number().positive();
const marketSchema = z.object({
  symbol: z.string(),
  settle: z.string(),
  precision: z.object({ amount: positiveNumber, price: positiveNumber }),
  limits: z.object({ amount: z.object({ min: positiveNumber }), cost: z.object({ min: positiveNumber }) }),
});

const orderSchema = z.object({
  id: z.string().min(1),
  status: z.enum(['open', 'closed', 'canceled', 'expired', 'rejected']),
  side: z.enum(['buy', 'sell']),
  amount: z.number().nullish(),
  filled: z.number().nullish(),
  average: z.number().nullish(),
  triggerPrice: z.number().nullish(),
  reduceOnly: z.boolean().nullish(),
  timestamp: z.number().nullish(),
  lastTradeTimestamp: z.number().nullish(),
  fee: z.object({ cost: z.number().nullish(), currency: z.string().nullish() }).nullish(),
  info: z.object({
    // Regular orders: origType (type is MARKET once triggered); algo orders: orderType.
    origType: z.string().optional(),
    orderType: z.string().optional(),
    type: z.string().optional(),
    // Algo orders: the matching-engine order a triggered order became ('' until then).
    actualOrderId: z.union([z.string(), z.number()]).nullish(),
  }),
});
type ParsedOrder = z.infer<typeof orderSchema>;

const tradeSchema = z.object({
  order: z.string().nullish(),
  amount: z.number(),
  price: z.number(),
  timestamp: z.number(),
  fee: z.object({ cost: z.number().nullish(), currency: z.string().nullish() }).nullish(),
});

const positionSchema = z.object({
  symbol: z.string(),
  side: z.enum(['long', 'short']).nullish(),
  contracts: z.number().nullish(),
  contractSize: z.number().nullish(),
  entryPrice: z.number().nullish(),
});

// Binance's /fapi/v3/account (or v2) answer, as ccxt's fetchBalance keeps it in `info`.
const accountSchema = z.object({
  assets: z.array(z.object({ asset: z.string(), walletBalance: z.string(), unrealizedProfit: z.string() })),
});

function parseExchangeData<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Unexpected ${what} from the exchange: ${z.prettifyError(result.error)}`);
  return result.data;
}

type OrderBook = 'regular' | 'algo';

export class LiveExecutor {
  private readonly recvWindow: number;
  private readonly clockMarginMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private market: z.infer<typeof marketSchema> | undefined;
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
    this.clockMarginMs = options.clockMarginMs ?? 1_000;
    if (!(this.recvWindow > 0 && this.recvWindow <= 60_000)) throw new Error(`recvWindow must be in (0, 60000] ms, got ${this.recvWindow}`);
    if (!(this.clockMarginMs >= 0)) throw new Error(`clockMarginMs must be >= 0, got ${this.clockMarginMs}`);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The instrument's trading filters (loads the markets once). */
  async loadFilters(): Promise<ExchangeFilters> {
    if (this.filters !== undefined) return this.filters;
    await this.exchange.loadMarkets();
    const markets = Object.values(this.exchange.markets ?? {}).filter((m): m is MarketInterface => m !== undefined);
    const found = markets.find((m) => (m.id === this.symbol || m.symbol === this.symbol) && m.swap === true && m.linear === true);
    if (found === undefined) {
      const perpetuals = markets.filter((m) => m.swap === true && m.linear === true).map((m) => m.id);
      throw new Error(
        `Symbol ${this.symbol} is not a USD-M perpetual on ${this.exchange.id} (${perpetuals.length} loaded: ${perpetuals.slice(0, 5).join(', ')}${perpetuals.length > 5 ? ', ...' : ''})`,
      );
    }
    // ccxt's binance classes express precision as tick sizes (TICK_SIZE = 4), not decimal places.
    if (this.exchange.precisionMode !== 4) throw new Error(`${this.exchange.id}: expected ccxt's TICK_SIZE precision mode, got ${this.exchange.precisionMode}`);
    const market = parseExchangeData(marketSchema, found, `market ${this.symbol} (precision.amount/price, limits.amount.min, limits.cost.min)`);
    this.market = market;
    this.filters = {
      qtyStep: market.precision.amount,
      minQty: market.limits.amount.min,
      minNotional: market.limits.cost.min,
      tickSize: market.precision.price,
    };
    return this.filters;
  }

  /** `qty` floored to the quantity step (counted in whole steps: 0.7 / 0.001 is 699.99.. in floats, yet 0.7 stays 0.7). Needs loadFilters() first. */
  roundQty(qty: number): number {
    const { qtyStep } = this.loadedFilters();
    if (!(qty >= 0) || !Number.isFinite(qty)) throw new OrderRejectedError(`Order quantity must be a finite number >= 0, got ${qty}`);
    const steps = Math.floor(qty / qtyStep + STEP_EPSILON);
    return Number((steps * qtyStep).toFixed(decimalsOf(qtyStep)));
  }

  /** `price` rounded to the nearest tick. Needs loadFilters() first. */
  roundPrice(price: number): number {
    const { tickSize } = this.loadedFilters();
    if (!(price > 0) || !Number.isFinite(price)) throw new OrderRejectedError(`Price must be a finite number > 0, got ${price}`);
    return Number((Math.round(price / tickSize) * tickSize).toFixed(decimalsOf(tickSize)));
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
    let order = await this.lookup('regular', id);
    if (order === undefined) {
      const qty = this.roundQty(request.qty);
      this.checkMinQty(request.qty, qty);
      if (!request.reduceOnly) this.checkNotional(qty, request.referencePrice ?? (await this.lastPrice()));
      const params = { clientOrderId: id, recvWindow: this.recvWindow, ...(request.reduceOnly ? { reduceOnly: true } : {}) };
      order = await this.send('regular', id, () => this.exchange.createOrder(market.symbol, 'market', request.side, qty, undefined, params), true);
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
      const existing = await this.lookup('algo', clientOrderId);
      return existing ?? this.send('algo', clientOrderId, () => this.exchange.createOrder(market.symbol, 'market', side, qty, undefined, params), true);
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
        const order = await this.lookup('algo', id);
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
      const algo = await this.lookup('algo', id);
      if (algo === undefined || algo.status !== 'closed') continue;
      const actualId = algo.info.actualOrderId;
      // The order it became: by its exchange id, else by the client id it carries (the local exchange keeps it).
      const actual =
        actualId !== undefined && actualId !== null && String(actualId) !== ''
          ? parseExchangeData(orderSchema, await this.exchange.fetchOrder(String(actualId), market.symbol), `order ${actualId}`)
          : await this.lookup('regular', id);
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

  private async loadedMarket(): Promise<z.infer<typeof marketSchema>> {
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

  /** The order with this client id, or undefined when the exchange has none. */
  private async lookup(book: OrderBook, clientOrderId: string): Promise<ParsedOrder | undefined> {
    const market = await this.loadedMarket();
    try {
      const order = await this.exchange.fetchOrder('', market.symbol, book === 'algo' ? { clientOrderId, trigger: true } : { clientOrderId });
      return parseExchangeData(orderSchema, order, `order ${clientOrderId}`);
    } catch (err) {
      if (isOrderNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Sends an order that a lookup did not find. After a lost answer: waits out recvWindow, looks again, and
   * resends (`mayResend`) only when the exchange surely never got it.
   */
  private async send(book: OrderBook, clientOrderId: string, send: () => Promise<Order>, mayResend: boolean): Promise<ParsedOrder> {
    const sentAt = this.now();
    let answer: Order;
    try {
      answer = await send();
    } catch (err) {
      if (isDuplicateClientOrderId(err)) {
        // Placed in the meantime (e.g. by an attempt whose answer was lost): it is ours.
        const found = await this.lookup(book, clientOrderId);
        if (found !== undefined) return found;
        throw new OrderRejectedError(
          `Client order id ${clientOrderId} is already used by another order on the exchange (not a ${book === 'algo' ? 'conditional' : 'regular'} order of ${this.symbol})`,
        );
      }
      if (!isAmbiguousSendError(err)) throw err;
      // Wait until the request can no longer be executed, then the lookup is conclusive.
      const wait = sentAt + this.recvWindow + this.clockMarginMs - this.now();
      if (wait > 0) await this.sleep(wait);
      let found: ParsedOrder | undefined;
      try {
        found = await this.lookup(book, clientOrderId);
      } catch (lookupErr) {
        throw new OrderOutcomeUnknownError(
          `Order ${clientOrderId}: the answer to sending it was lost (${errorMessage(err)}) and looking it up failed (${errorMessage(lookupErr)}); a retry looks it up again`,
        );
      }
      if (found !== undefined) return found;
      // It never reached the exchange: sending it again cannot double it.
      if (mayResend) return this.send(book, clientOrderId, send, false);
      throw err;
    }
    const parsed = orderSchema.safeParse(answer);
    if (parsed.success) return parsed.data;
    // Accepted, but the answer is not one we can read (e.g. no status yet): the order exists, so read it back.
    const found = await this.lookup(book, clientOrderId);
    if (found !== undefined) return found;
    throw new OrderOutcomeUnknownError(
      `Order ${clientOrderId} was accepted, but its answer is unreadable (${z.prettifyError(parsed.error)}) and a lookup does not show it yet`,
    );
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

  private report(order: ParsedOrder, clientOrderId: string, fill?: { fee: number; feeAsset: string; avgPrice: number | null; time: number }): OrderReport {
    const filledQty = order.filled ?? 0;
    return {
      clientOrderId,
      exchangeOrderId: order.id,
      status: order.status,
      side: order.side,
      type: order.info.origType ?? order.info.orderType ?? order.info.type ?? 'UNKNOWN',
      reduceOnly: order.reduceOnly ?? false,
      qty: order.amount ?? filledQty,
      filledQty,
      avgPrice: fill?.avgPrice ?? (filledQty > 0 ? (order.average ?? null) : null),
      triggerPrice: order.triggerPrice ?? null,
      fee: fill?.fee ?? 0,
      feeAsset: fill?.feeAsset ?? this.market?.settle ?? 'USDT',
      time: fill?.time ?? order.lastTradeTimestamp ?? order.timestamp ?? 0,
    };
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
    const tradedQty = trades.reduce((sum, t) => sum + t.amount, 0);
    if (trades.length === 0 || Math.abs(tradedQty - filled) > this.loadedFilters().qtyStep / 2) {
      throw new OrderOutcomeUnknownError(`Order ${clientOrderId} (${order.id}) filled ${filled}, but its trades list ${tradedQty} so far`);
    }
    // An account pays all its futures fees in one asset (USDT, or BNB with the BNB discount).
    const feeAsset = trades.find((t) => t.fee?.currency != null)?.fee?.currency ?? this.market?.settle ?? 'USDT';
    const fee = trades.reduce((sum, t) => sum + (t.fee?.currency === feeAsset ? (t.fee.cost ?? 0) : 0), 0);
    const vwap = trades.reduce((sum, t) => sum + t.amount * t.price, 0) / tradedQty;
    return this.report(order, clientOrderId, {
      fee,
      feeAsset,
      avgPrice: order.average ?? vwap,
      time: Math.max(...trades.map((t) => t.timestamp)),
    });
  }

  private async tradesOf(order: ParsedOrder): Promise<z.infer<typeof tradeSchema>[]> {
    const market = await this.loadedMarket();
    // `since` keeps the page on the order's time (the default window is the last 7 days, oldest first).
    const trades: Trade[] = await this.exchange.fetchMyTrades(market.symbol, order.timestamp ?? undefined, undefined, { orderId: order.id });
    return parseExchangeData(z.array(tradeSchema), trades, `trades of order ${order.id}`).filter((t) => t.order === order.id);
  }
}

function checkClientOrderId(id: string): string {
  if (!BINANCE_CLIENT_ORDER_ID.test(id)) throw new OrderRejectedError(`Client order id "${id}" is not 1..36 characters of [.A-Z:/a-z0-9_-]`);
  return id;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
