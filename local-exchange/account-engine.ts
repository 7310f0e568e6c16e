/**
 * One symbol's side of the futures account behind the local exchange: its position, orders, leverage and margin
 * type (one-way position mode, taker fills only), on the account's one wallet (account-ledger.ts, shared by every
 * symbol's engine). Deterministic: every price and time comes from the caller (the replay), ids are counters.
 *
 * - MARKET orders fill at once at the given price (the open of the bar in progress) moved by `slippageBps` against the
 *   trader, paying `takerFeeRate` of the notional in the quote asset.
 * - Conditional orders (STOP_MARKET, TAKE_PROFIT_MARKET; Binance's Algo Service) trigger on a replayed bar whose
 *   range crosses the trigger price and fill at it, or at the bar's open when the bar opens beyond it (a gap).
 *   Within one bar stops are processed before take-profits (strategy.md: stop-loss counts first).
 * - Reduce-only and close-position conditional orders expire when the position is closed (or flips), as Binance's
 *   system cancels them (algoStatus EXPIRED).
 * - Margin: an order adding exposure is refused (-2019) unless, after the fill and before its fee, the account's
 *   margin balance (wallet plus every position's PnL) covers every position's initial margin (notional / leverage
 *   at each symbol's last price). Liquidation and funding are not simulated.
 */
import type { Bar } from '../domain/bars';
import { AccountLedger, type PositionSource } from './account-ledger';
import type {
  IncomeRecord,
  IncomeType,
  AccountConfig,
  AccountState,
  AlgoLookup,
  AlgoOrderRecord,
  ConditionalOrderRequest,
  MarginType,
  MarketOrderRequest,
  OrderLookup,
  OrderRecord,
  TradeRecord,
} from './account-types';
import { binanceErrors } from './binance-errors';
import { ConditionalOrderBook } from './conditional-orders';
import { fillPriceInBar, triggerCrossed } from './conditional-triggers';
import type { LeverageBracket } from '../domain/trading';
import { bracketsOf } from './exchange-info';
import { OrderHistory, type Fill } from './order-history';
import { checkLeverage, toSteps } from './order-validation';
import { accountState, checkMargin, dirOf, exposureOf, positionAfter, sign, type PositionBook } from './position-margin';

// Callers import the engine and its trigger rules from here (the types from account-types.ts).
export { fillPriceInBar, triggerCrossed } from './conditional-triggers';

export class AccountEngine {
  private readonly step: number;
  private readonly tick: number;
  private readonly minQtySteps: number;
  private readonly marketMaxSteps: number;
  private readonly minNotional: number;
  private readonly brackets: readonly LeverageBracket[];
  private readonly ledger: AccountLedger;
  /** This position as the ledger sees it (undefined for an engine alone on its own wallet). */
  private readonly source: PositionSource | undefined;

  private positionSteps = 0;
  private entryPrice = 0;
  private positionUpdateTime = 0;
  private leverageValue: number;
  private marginTypeValue: MarginType = 'CROSSED';

  private readonly history = new OrderHistory();
  private readonly conditional: ConditionalOrderBook;

  /**
   * Alone (`shared` absent) the engine has its own wallet of `config.startingBalance`; with `shared` it trades on
   * that ledger's wallet, its position marked at `shared.markPrice()` for the other symbols' margin.
   */
  constructor(
    private readonly config: AccountConfig,
    shared?: { readonly ledger: AccountLedger; readonly markPrice: () => number },
  ) {
    this.step = Number(config.spec.stepSize);
    this.tick = Number(config.spec.tickSize);
    this.minQtySteps = Math.round(Number(config.spec.minQty) / this.step);
    this.marketMaxSteps = Math.round(Number(config.spec.marketMaxQty) / this.step);
    this.minNotional = Number(config.spec.minNotional);
    this.brackets = bracketsOf(config.spec);
    if (!(config.takerFeeRate >= 0 && config.takerFeeRate < 0.01)) throw new Error(`takerFeeRate must be in [0, 0.01), got ${config.takerFeeRate}`);
    if (!(config.slippageBps >= 0)) throw new Error(`slippageBps must be >= 0, got ${config.slippageBps}`);
    checkLeverage(config.leverage, this.brackets);
    this.ledger = shared?.ledger ?? new AccountLedger(config.startingBalance, config.fundedAt);
    this.conditional = new ConditionalOrderBook(() => this.ledger.algoId());
    this.leverageValue = config.leverage;
    if (shared !== undefined) {
      const markPrice = shared.markPrice;
      this.source = { exposure: () => exposureOf(this.book(), markPrice()) };
      this.ledger.register(this.source);
    }
  }

  get symbol(): string {
    return this.config.spec.symbol;
  }

  get leverage(): number {
    return this.leverageValue;
  }

  get marginType(): MarginType {
    return this.marginTypeValue;
  }

  get takerFeeRate(): number {
    return this.config.takerFeeRate;
  }

  get hasPosition(): boolean {
    return this.positionSteps !== 0;
  }

  setLeverage(leverage: number): void {
    checkLeverage(leverage, this.brackets);
    this.leverageValue = leverage;
  }

  setMarginType(type: MarginType): void {
    if (type === this.marginTypeValue) throw binanceErrors.noNeedToChangeMarginType();
    if (this.hasPosition) throw binanceErrors.marginTypeWithPosition();
    this.marginTypeValue = type;
  }

  /** A MARKET order, filled at once at `lastPrice` (plus slippage) at replay time `time`. */
  placeMarketOrder(request: MarketOrderRequest, lastPrice: number, time: number): OrderRecord {
    const clientOrderId = this.ledger.clientIds.claim(request.clientOrderId);
    let qtySteps = this.quantitySteps(request.quantity);
    const dir = dirOf(request.side);
    if (request.reduceOnly) {
      // Binance shrinks a reduce-only order to the position and refuses one that would not reduce it.
      if (this.positionSteps === 0 || sign(this.positionSteps) === dir) throw binanceErrors.reduceOnlyRejected();
      qtySteps = Math.min(qtySteps, Math.abs(this.positionSteps));
    }
    const price = this.withSlippage(lastPrice, dir);
    if (!request.reduceOnly && qtySteps * this.step * price < this.minNotional) {
      throw binanceErrors.minNotional(this.config.spec.minNotional);
    }
    checkMargin(this.book(), dir * qtySteps, price, lastPrice, this.others());
    this.ledger.clientIds.markUsed(clientOrderId);
    return this.fill({
      clientOrderId,
      side: request.side,
      origType: 'MARKET',
      qtySteps,
      price,
      reduceOnly: request.reduceOnly,
      closePosition: false,
      stopPrice: 0,
      time,
    });
  }

  /** A STOP_MARKET / TAKE_PROFIT_MARKET order waiting in the Algo Service for a bar to cross its trigger. */
  placeConditionalOrder(request: ConditionalOrderRequest, lastPrice: number, time: number): AlgoOrderRecord {
    const clientAlgoId = this.ledger.clientIds.claim(request.clientAlgoId);
    let quantitySteps = 0;
    if (request.closePosition) {
      if (request.quantity !== undefined) throw binanceErrors.paramNotRequired('quantity');
      if (request.reduceOnly) throw binanceErrors.paramNotRequired('reduceonly');
    } else {
      if (request.quantity === undefined) throw binanceErrors.mandatoryParam('quantity');
      quantitySteps = this.quantitySteps(request.quantity);
    }
    const ticks = request.triggerPrice / this.tick;
    if (!(request.triggerPrice > 0) || Math.abs(ticks - Math.round(ticks)) > 1e-6) throw binanceErrors.priceNotOnTick();
    if (triggerCrossed(request.type, request.side, lastPrice, request.triggerPrice)) {
      throw binanceErrors.orderWouldImmediatelyTrigger();
    }
    if (this.openAlgoOrders().length >= this.config.spec.maxAlgoOrders) throw binanceErrors.maxStopOrders();
    this.ledger.clientIds.markUsed(clientAlgoId);
    return this.conditional.add(request, clientAlgoId, quantitySteps, time);
  }

  cancelConditionalOrder(lookup: AlgoLookup, time: number): AlgoOrderRecord {
    return this.conditional.cancel(lookup, time);
  }

  cancelAllConditionalOrders(time: number): AlgoOrderRecord[] {
    return this.conditional.cancelAll(time);
  }

  findOrder(lookup: OrderLookup): OrderRecord | undefined {
    return this.history.find(lookup);
  }

  findConditionalOrder(lookup: AlgoLookup): AlgoOrderRecord | undefined {
    return this.conditional.find(lookup);
  }

  allOrders(): OrderRecord[] {
    return this.history.all();
  }

  allConditionalOrders(): AlgoOrderRecord[] {
    return this.conditional.all();
  }

  openAlgoOrders(): AlgoOrderRecord[] {
    return this.conditional.open();
  }

  trades(): readonly TradeRecord[] {
    return this.history.trades();
  }

  /**
   * Runs the conditional orders against a newly replayed bar; returns the orders they became.
   * `time` stamps the fills (the bar's open time: the fill happened inside that bar).
   */
  onBar(bar: Bar, time: number): OrderRecord[] {
    const fills: OrderRecord[] = [];
    for (const type of ['STOP_MARKET', 'TAKE_PROFIT_MARKET'] as const) {
      for (const order of this.openAlgoOrders()) {
        if (order.orderType !== type || order.status !== 'NEW') continue;
        const triggerFill = fillPriceInBar(order, bar);
        if (triggerFill === undefined) continue;
        const filled = this.trigger(order, triggerFill, time);
        if (filled !== undefined) fills.push(filled);
      }
    }
    return fills;
  }

  /** Every booking of the wallet (all symbols), oldest first (GET /fapi/v1/income). */
  income(): readonly IncomeRecord[] {
    return this.ledger.income();
  }

  /** A transfer into (positive) or out of the futures wallet, or a funding payment of this symbol's position. */
  bookIncome(type: Extract<IncomeType, 'TRANSFER' | 'FUNDING_FEE'>, amount: number, time: number): IncomeRecord {
    return this.ledger.bookIncome(this.symbol, type, amount, time);
  }

  /** This position at `markPrice`, with the account's balances (every symbol's position included). */
  state(markPrice: number): AccountState {
    const { takerFeeRate } = this.config;
    const times = { positionUpdateTime: this.positionUpdateTime, balanceUpdateTime: this.ledger.balanceUpdateTime };
    return accountState({ ...this.book(), takerFeeRate, ...times }, markPrice, this.others());
  }

  private trigger(order: AlgoOrderRecord, triggerFill: number, time: number): OrderRecord | undefined {
    const dir = dirOf(order.side);
    const reducing = this.positionSteps !== 0 && sign(this.positionSteps) !== dir;
    let qtySteps = order.closePosition ? Math.abs(this.positionSteps) : order.quantitySteps;
    if (order.reduceOnly || order.closePosition) {
      if (!reducing) {
        // Nothing left to reduce: Binance's system cancels the order.
        order.status = 'EXPIRED';
        order.updateTime = time;
        return undefined;
      }
      qtySteps = Math.min(qtySteps, Math.abs(this.positionSteps));
    }
    const price = this.withSlippage(triggerFill, dir);
    try {
      checkMargin(this.book(), dir * qtySteps, price, triggerFill, this.others());
    } catch {
      order.status = 'REJECTED';
      order.updateTime = time;
      return undefined;
    }
    const filled = this.fill({
      clientOrderId: order.clientAlgoId,
      side: order.side,
      origType: order.orderType,
      qtySteps,
      price,
      reduceOnly: order.reduceOnly,
      closePosition: order.closePosition,
      stopPrice: order.triggerPrice,
      time,
    });
    order.status = 'FINISHED';
    order.updateTime = time;
    order.triggerTime = time;
    order.actualOrderId = filled.orderId;
    order.actualPrice = filled.avgPrice;
    return filled;
  }

  private fill(f: Fill): OrderRecord {
    const after = positionAfter(this.book(), dirOf(f.side) * f.qtySteps, f.price);
    const fee = f.qtySteps * this.step * f.price * this.config.takerFeeRate;
    this.positionSteps = after.steps;
    this.entryPrice = after.entryPrice;
    this.positionUpdateTime = f.time;
    const ids = { orderId: this.ledger.orderId(), tradeId: this.ledger.tradeId() };
    const order = this.history.record(f, ids, after.realizedPnl, fee);
    this.ledger.settleFill(this.symbol, after.realizedPnl, fee, f.time, ids.tradeId);
    this.conditional.expireStaleReduceOrders(this.positionSteps, f.time);
    return order;
  }

  // The quantity in steps, within MARKET_LOT_SIZE (market and triggered orders).
  private quantitySteps(quantity: number): number {
    const steps = toSteps(quantity, this.step);
    if (steps < this.minQtySteps) throw binanceErrors.quantityTooSmall();
    if (steps > this.marketMaxSteps) throw binanceErrors.quantityTooLarge();
    return steps;
  }

  private withSlippage(price: number, dir: number): number {
    return price * (1 + (dir * this.config.slippageBps) / 10_000);
  }

  private book(): PositionBook {
    const { step, positionSteps, entryPrice, leverageValue: leverage, brackets } = this;
    return { step, wallet: this.ledger.wallet, positionSteps, entryPrice, leverage, brackets, isolated: this.marginTypeValue === 'ISOLATED' };
  }

  // The account's other positions (none for an engine alone on its wallet).
  private others() {
    return this.ledger.othersThan(this.source);
  }
}
