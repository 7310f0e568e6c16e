// Sending an order at most once by its client order id: the lookup and the wait-out-recvWindow-then-look-again
// resend of the executor's idempotency contract (see live-executor.ts), apart from what the orders mean.
import type { Exchange, Order } from 'ccxt';
import { z } from 'zod';
import { BINANCE_CLIENT_ORDER_ID } from '../domain/client-order-id';
import { errorMessage, isAmbiguousSendError, isDuplicateClientOrderId, isOrderNotFound, OrderOutcomeUnknownError, OrderRejectedError } from './exchange-errors';
import { orderSchema, parseExchangeData, type ParsedMarket, type ParsedOrder } from './exchange-replies';

/** Binance keeps regular orders and conditional (Algo Service) orders in separate books, looked up apart. */
export type OrderBook = 'regular' | 'algo';

export interface OrderSenderTiming {
  readonly recvWindow: number;
  readonly clockMarginMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export class OrderSender {
  private readonly recvWindow: number;
  private readonly clockMarginMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  /**
   * @param symbol the exchange's symbol, for messages
   * @param loadedMarket the executor's market (loaded once)
   */
  constructor(
    private readonly exchange: Exchange,
    private readonly symbol: string,
    private readonly loadedMarket: () => Promise<ParsedMarket>,
    timing: OrderSenderTiming,
  ) {
    this.recvWindow = timing.recvWindow;
    this.clockMarginMs = timing.clockMarginMs;
    this.now = timing.now;
    this.sleep = timing.sleep;
  }

  /** The order with this client id, or undefined when the exchange has none. */
  async lookup(book: OrderBook, clientOrderId: string): Promise<ParsedOrder | undefined> {
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
  async send(book: OrderBook, clientOrderId: string, send: () => Promise<Order>, mayResend: boolean): Promise<ParsedOrder> {
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
}

export function checkClientOrderId(id: string): string {
  if (!BINANCE_CLIENT_ORDER_ID.test(id)) throw new OrderRejectedError(`Client order id "${id}" is not 1..36 characters of [.A-Z:/a-z0-9_-]`);
  return id;
}
