/**
 * The futures account behind the local exchange: one-way position mode, cross margin, one instrument, taker fills
 * only. Deterministic: every price and time comes from the caller (the replay), ids are counters.
 *
 * - MARKET orders fill at once at the given price (the open of the bar in progress) moved by `slippageBps` against the
 *   trader, paying `takerFeeRate` of the notional in the quote asset.
 * - Conditional orders (STOP_MARKET, TAKE_PROFIT_MARKET; Binance's Algo Service) trigger on a replayed bar whose
 *   range crosses the trigger price and fill at it, or at the bar's open when the bar opens beyond it (a gap).
 *   Within one bar stops are processed before take-profits (strategy.md: stop-loss counts first).
 * - Reduce-only and close-position conditional orders expire when the position is closed (or flips), as Binance's
 *   system cancels them (algoStatus EXPIRED).
 * - Margin: an order that adds exposure is refused (-2019) unless, after the fill and before its fee, the margin
 *   balance still covers the position's initial margin (notional / leverage at the last price).
 *   Liquidation and funding are not simulated.
 */
import type { Bar } from '../domain/bars';
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
  WireOrderSide,
  TradeRecord,
} from './account-types';
import { binanceErrors } from './binance-errors';
import { ConditionalOrderBook } from './conditional-orders';
import { fillPriceInBar, triggerCrossed } from './conditional-triggers';
import { checkLeverage, ClientIds, toSteps } from './order-validation';
import { accountState, checkMargin, dirOf, positionAfter, sign, type PositionBook } from './position-margin';

// Callers import the engine and its trigger rules from here (the types from account-types.ts).
export { fillPriceInBar, triggerCrossed } from './conditional-triggers';

export class AccountEngine {
  private readonly step: number;
  private readonly tick: number;
  private readonly minQtySteps: number;
  private readonly marketMaxSteps: number;
  private readonly minNotional: number;

  private wallet: number;
  private positionSteps = 0;
  private entryPrice = 0;
  private positionUpdateTime = 0;
  private balanceUpdateTime: number;
  private leverageValue: number;
  private marginTypeValue: MarginType = 'CROSSED';

  private readonly orders = new Map<number, OrderRecord>();
  private readonly ordersByClientId = new Map<string, OrderRecord>();
  private readonly conditional = new ConditionalOrderBook();
  private readonly clientIds = new ClientIds();
  private readonly tradeLog: TradeRecord[] = [];
  private readonly incomeLog: IncomeRecord[] = [];
  private nextTranId = 9_000_001;
  private nextOrderId = 1_000_001;
  private nextTradeId = 1;

  constructor(private readonly config: AccountConfig) {
    this.step = Number(config.spec.stepSize);
    this.tick = Number(config.spec.tickSize);
    this.minQtySteps = Math.round(Number(config.spec.minQty) / this.step);
    this.marketMaxSteps = Math.round(Number(config.spec.marketMaxQty) / this.step);
    this.minNotional = Number(config.spec.minNotional);
    if (!(config.startingBalance >= 0)) throw new Error(`startingBalance must be >= 0, got ${config.startingBalance}`);
    if (!(config.takerFeeRate >= 0 && config.takerFeeRate < 0.01)) throw new Error(`takerFeeRate must be in [0, 0.01), got ${config.takerFeeRate}`);
    if (!(config.slippageBps >= 0)) throw new Error(`slippageBps must be >= 0, got ${config.slippageBps}`);
    checkLeverage(config.leverage);
    this.wallet = config.startingBalance;
    this.balanceUpdateTime = config.fundedAt;
    this.leverageValue = config.leverage;
  }

  get leverage(): number {
    return this.leverageValue;
  }

  get marginType(): MarginType {
    return this.marginTypeValue;
  }

  get stepSize(): number {
    return this.step;
  }

  get takerFeeRate(): number {
    return this.config.takerFeeRate;
  }

  setLeverage(leverage: number): void {
    checkLeverage(leverage);
    this.leverageValue = leverage;
  }

  setMarginType(type: MarginType): void {
    if (type === this.marginTypeValue) throw binanceErrors.noNeedToChangeMarginType();
    if (this.positionSteps !== 0) throw binanceErrors.marginTypeWithPosition();
    this.marginTypeValue = type;
  }

  /** A MARKET order, filled at once at `lastPrice` (plus slippage) at replay time `time`. */
  placeMarketOrder(request: MarketOrderRequest, lastPrice: number, time: number): OrderRecord {
    const clientOrderId = this.clientIds.claim(request.clientOrderId);
    let qtySteps = toSteps(request.quantity, this.step);
    if (qtySteps < this.minQtySteps) throw binanceErrors.quantityTooSmall();
    if (qtySteps > this.marketMaxSteps) throw binanceErrors.quantityTooLarge();
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
    checkMargin(this.book(), dir * qtySteps, price, lastPrice);
    this.clientIds.markUsed(clientOrderId);
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
    const clientAlgoId = this.clientIds.claim(request.clientAlgoId);
    let quantitySteps = 0;
    if (request.closePosition) {
      if (request.quantity !== undefined) throw binanceErrors.paramNotRequired('quantity');
      if (request.reduceOnly) throw binanceErrors.paramNotRequired('reduceonly');
    } else {
      if (request.quantity === undefined) throw binanceErrors.mandatoryParam('quantity');
      quantitySteps = toSteps(request.quantity, this.step);
      if (quantitySteps < this.minQtySteps) throw binanceErrors.quantityTooSmall();
      if (quantitySteps > this.marketMaxSteps) throw binanceErrors.quantityTooLarge();
    }
    const ticks = request.triggerPrice / this.tick;
    if (!(request.triggerPrice > 0) || Math.abs(ticks - Math.round(ticks)) > 1e-6) throw binanceErrors.priceNotOnTick();
    if (triggerCrossed(request.type, request.side, lastPrice, request.triggerPrice)) {
      throw binanceErrors.orderWouldImmediatelyTrigger();
    }
    if (this.openAlgoOrders().length >= this.config.spec.maxAlgoOrders) throw binanceErrors.maxStopOrders();
    this.clientIds.markUsed(clientAlgoId);
    return this.conditional.add(request, clientAlgoId, quantitySteps, time);
  }

  cancelConditionalOrder(lookup: AlgoLookup, time: number): AlgoOrderRecord {
    return this.conditional.cancel(lookup, time);
  }

  cancelAllConditionalOrders(time: number): AlgoOrderRecord[] {
    return this.conditional.cancelAll(time);
  }

  findOrder(lookup: OrderLookup): OrderRecord | undefined {
    return 'orderId' in lookup ? this.orders.get(lookup.orderId) : this.ordersByClientId.get(lookup.clientOrderId);
  }

  findConditionalOrder(lookup: AlgoLookup): AlgoOrderRecord | undefined {
    return this.conditional.find(lookup);
  }

  allOrders(): OrderRecord[] {
    return [...this.orders.values()];
  }

  allConditionalOrders(): AlgoOrderRecord[] {
    return this.conditional.all();
  }

  openAlgoOrders(): AlgoOrderRecord[] {
    return this.conditional.open();
  }

  trades(): readonly TradeRecord[] {
    return this.tradeLog;
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

  /** Every booking of the wallet, oldest first (GET /fapi/v1/income). */
  income(): readonly IncomeRecord[] {
    return this.incomeLog;
  }

  /** A transfer into (positive) or out of the futures wallet, or a funding payment: booked as Binance books it. */
  bookIncome(type: Extract<IncomeType, 'TRANSFER' | 'FUNDING_FEE'>, amount: number, time: number): IncomeRecord {
    if (!Number.isFinite(amount) || amount === 0) throw new Error(`income amount must be a non-zero number, got ${amount}`);
    if (type === 'TRANSFER' && this.wallet + amount < 0) throw new Error(`a transfer of ${amount} exceeds the wallet balance ${this.wallet}`);
    this.wallet += amount;
    this.balanceUpdateTime = time;
    return this.bookRecord(type, amount, time, null);
  }

  private bookRecord(incomeType: IncomeType, income: number, time: number, tradeId: number | null): IncomeRecord {
    const record: IncomeRecord = { tranId: this.nextTranId++, incomeType, income, time, tradeId };
    this.incomeLog.push(record);
    return record;
  }

  state(markPrice: number): AccountState {
    const { takerFeeRate } = this.config;
    return accountState({ ...this.book(), takerFeeRate, positionUpdateTime: this.positionUpdateTime, balanceUpdateTime: this.balanceUpdateTime }, markPrice);
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
      checkMargin(this.book(), dir * qtySteps, price, triggerFill);
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

  private fill(f: {
    clientOrderId: string;
    side: WireOrderSide;
    origType: OrderRecord['origType'];
    qtySteps: number;
    price: number;
    reduceOnly: boolean;
    closePosition: boolean;
    stopPrice: number;
    time: number;
  }): OrderRecord {
    const delta = dirOf(f.side) * f.qtySteps;
    const after = positionAfter(this.book(), delta, f.price);
    const fee = f.qtySteps * this.step * f.price * this.config.takerFeeRate;
    this.wallet += after.realizedPnl - fee;
    this.positionSteps = after.steps;
    this.entryPrice = after.entryPrice;
    this.positionUpdateTime = f.time;
    this.balanceUpdateTime = f.time;
    const order: OrderRecord = {
      orderId: this.nextOrderId++,
      clientOrderId: f.clientOrderId,
      side: f.side,
      origType: f.origType,
      origQtySteps: f.qtySteps,
      executedQtySteps: f.qtySteps,
      avgPrice: f.price,
      reduceOnly: f.reduceOnly,
      closePosition: f.closePosition,
      stopPrice: f.stopPrice,
      time: f.time,
      updateTime: f.time,
      realizedPnl: after.realizedPnl,
      fee,
    };
    this.orders.set(order.orderId, order);
    this.ordersByClientId.set(order.clientOrderId, order);
    this.tradeLog.push({
      id: this.nextTradeId++,
      orderId: order.orderId,
      side: f.side,
      price: f.price,
      qtySteps: f.qtySteps,
      realizedPnl: after.realizedPnl,
      commission: fee,
      time: f.time,
    });
    const tradeId = this.nextTradeId - 1;
    if (after.realizedPnl !== 0) this.bookRecord('REALIZED_PNL', after.realizedPnl, f.time, tradeId);
    if (fee > 0) this.bookRecord('COMMISSION', -fee, f.time, tradeId);
    this.conditional.expireStaleReduceOrders(this.positionSteps, f.time);
    return order;
  }

  private withSlippage(price: number, dir: number): number {
    return price * (1 + (dir * this.config.slippageBps) / 10_000);
  }

  private book(): PositionBook {
    return { step: this.step, wallet: this.wallet, positionSteps: this.positionSteps, entryPrice: this.entryPrice, leverage: this.leverageValue };
  }
}
