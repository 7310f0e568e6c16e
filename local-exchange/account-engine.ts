/**
 * The futures account behind the local exchange: one-way position mode, cross margin, one instrument, taker fills
 * only. Deterministic: every price and time comes from the caller (the replay), ids are counters.
 *
 * - MARKET orders fill at once at the given price (the last replayed close) moved by `slippageBps` against the
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
import { binanceErrors } from './binance-errors';
import { bracketForNotional, MAX_LEVERAGE, type InstrumentSpec } from './exchange-info';

export type OrderSide = 'BUY' | 'SELL';
export type ConditionalType = 'STOP_MARKET' | 'TAKE_PROFIT_MARKET';
export type MarginType = 'CROSSED' | 'ISOLATED';
export type AlgoStatus = 'NEW' | 'CANCELED' | 'FINISHED' | 'EXPIRED' | 'REJECTED';

export interface AccountConfig {
  readonly spec: InstrumentSpec;
  /** Wallet balance at start, in the quote asset. */
  readonly startingBalance: number;
  /** Taker fee as a fraction of the notional (4 bps = 0.0004). */
  readonly takerFeeRate: number;
  /** Price moved against the trader on every fill, in basis points. */
  readonly slippageBps: number;
  /** Binance's default initial leverage is 20. */
  readonly leverage: number;
  /** When the wallet was funded (Unix ms): ccxt ignores a balance whose updateTime is 0. */
  readonly fundedAt: number;
}

/** A filled order of the matching engine (MARKET, or the market order a conditional order became). */
export interface OrderRecord {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly origType: 'MARKET' | ConditionalType;
  readonly origQtySteps: number;
  readonly executedQtySteps: number;
  readonly avgPrice: number;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly stopPrice: number;
  readonly time: number;
  readonly updateTime: number;
  readonly realizedPnl: number;
  readonly fee: number;
}

export interface AlgoOrderRecord {
  readonly algoId: number;
  readonly clientAlgoId: string;
  readonly orderType: ConditionalType;
  readonly side: OrderSide;
  /** 0 for close-position orders (they close whatever position exists). */
  readonly quantitySteps: number;
  readonly triggerPrice: number;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly createTime: number;
  status: AlgoStatus;
  updateTime: number;
  triggerTime: number;
  actualOrderId?: number;
  actualPrice?: number;
}

export interface TradeRecord {
  readonly id: number;
  readonly orderId: number;
  readonly side: OrderSide;
  readonly price: number;
  readonly qtySteps: number;
  readonly realizedPnl: number;
  readonly commission: number;
  readonly time: number;
}

export interface MarketOrderRequest {
  readonly side: OrderSide;
  readonly quantity: number;
  readonly reduceOnly: boolean;
  readonly clientOrderId?: string;
}

export interface ConditionalOrderRequest {
  readonly side: OrderSide;
  readonly type: ConditionalType;
  /** Absent for close-position orders. */
  readonly quantity?: number;
  readonly triggerPrice: number;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly clientAlgoId?: string;
}

/** Position and margin figures at a mark price, in the quote asset (Binance's account/positionRisk fields). */
export interface AccountState {
  readonly walletBalance: number;
  readonly unrealizedPnl: number;
  readonly marginBalance: number;
  readonly positionInitialMargin: number;
  readonly maintMargin: number;
  readonly availableBalance: number;
  readonly maxWithdrawAmount: number;
  readonly positionSteps: number;
  readonly entryPrice: number;
  readonly breakEvenPrice: number;
  readonly markPrice: number;
  /** Signed: negative for a short. */
  readonly notional: number;
  readonly liquidationPrice: number;
  readonly positionUpdateTime: number;
  readonly balanceUpdateTime: number;
}

export type OrderLookup = { readonly orderId: number } | { readonly clientOrderId: string };
export type AlgoLookup = { readonly algoId: number } | { readonly clientAlgoId: string };

const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
const dirOf = (side: OrderSide) => (side === 'BUY' ? 1 : -1);
// Binance's newClientOrderId / clientAlgoId rule.
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

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
  private readonly algoOrders = new Map<number, AlgoOrderRecord>();
  private readonly algoByClientId = new Map<string, AlgoOrderRecord>();
  private readonly usedClientIds = new Set<string>();
  private readonly tradeLog: TradeRecord[] = [];
  private nextOrderId = 1_000_001;
  private nextAlgoId = 2_000_001;
  private nextTradeId = 1;
  private nextGeneratedClientId = 1;

  constructor(private readonly config: AccountConfig) {
    this.step = Number(config.spec.stepSize);
    this.tick = Number(config.spec.tickSize);
    this.minQtySteps = Math.round(Number(config.spec.minQty) / this.step);
    this.marketMaxSteps = Math.round(Number(config.spec.marketMaxQty) / this.step);
    this.minNotional = Number(config.spec.minNotional);
    if (!(config.startingBalance >= 0)) throw new Error(`startingBalance must be >= 0, got ${config.startingBalance}`);
    if (!(config.takerFeeRate >= 0 && config.takerFeeRate < 0.01)) throw new Error(`takerFeeRate must be in [0, 0.01), got ${config.takerFeeRate}`);
    if (!(config.slippageBps >= 0)) throw new Error(`slippageBps must be >= 0, got ${config.slippageBps}`);
    this.checkLeverage(config.leverage);
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
    this.checkLeverage(leverage);
    this.leverageValue = leverage;
  }

  setMarginType(type: MarginType): void {
    if (type === this.marginTypeValue) throw binanceErrors.noNeedToChangeMarginType();
    if (this.positionSteps !== 0) throw binanceErrors.marginTypeWithPosition();
    this.marginTypeValue = type;
  }

  /** A MARKET order, filled at once at `lastPrice` (plus slippage) at replay time `time`. */
  placeMarketOrder(request: MarketOrderRequest, lastPrice: number, time: number): OrderRecord {
    const clientOrderId = this.claimClientId(request.clientOrderId);
    let qtySteps = this.toSteps(request.quantity);
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
    this.checkMargin(dir * qtySteps, price, lastPrice);
    this.usedClientIds.add(clientOrderId);
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
    const clientAlgoId = this.claimClientId(request.clientAlgoId);
    let quantitySteps = 0;
    if (request.closePosition) {
      if (request.quantity !== undefined) throw binanceErrors.paramNotRequired('quantity');
      if (request.reduceOnly) throw binanceErrors.paramNotRequired('reduceonly');
    } else {
      if (request.quantity === undefined) throw binanceErrors.mandatoryParam('quantity');
      quantitySteps = this.toSteps(request.quantity);
      if (quantitySteps < this.minQtySteps) throw binanceErrors.quantityTooSmall();
      if (quantitySteps > this.marketMaxSteps) throw binanceErrors.quantityTooLarge();
    }
    const ticks = request.triggerPrice / this.tick;
    if (!(request.triggerPrice > 0) || Math.abs(ticks - Math.round(ticks)) > 1e-6) throw binanceErrors.priceNotOnTick();
    if (triggerCrossed(request.type, request.side, lastPrice, request.triggerPrice)) {
      throw binanceErrors.orderWouldImmediatelyTrigger();
    }
    if (this.openAlgoOrders().length >= this.config.spec.maxAlgoOrders) throw binanceErrors.maxStopOrders();
    this.usedClientIds.add(clientAlgoId);
    const order: AlgoOrderRecord = {
      algoId: this.nextAlgoId++,
      clientAlgoId,
      orderType: request.type,
      side: request.side,
      quantitySteps,
      triggerPrice: request.triggerPrice,
      reduceOnly: request.reduceOnly,
      closePosition: request.closePosition,
      createTime: time,
      status: 'NEW',
      updateTime: time,
      triggerTime: 0,
    };
    this.algoOrders.set(order.algoId, order);
    this.algoByClientId.set(clientAlgoId, order);
    return order;
  }

  cancelConditionalOrder(lookup: AlgoLookup, time: number): AlgoOrderRecord {
    const order = this.findConditionalOrder(lookup);
    if (order === undefined || order.status !== 'NEW') throw binanceErrors.cancelRejected();
    order.status = 'CANCELED';
    order.updateTime = time;
    return order;
  }

  cancelAllConditionalOrders(time: number): AlgoOrderRecord[] {
    const open = this.openAlgoOrders();
    for (const order of open) {
      order.status = 'CANCELED';
      order.updateTime = time;
    }
    return open;
  }

  findOrder(lookup: OrderLookup): OrderRecord | undefined {
    return 'orderId' in lookup ? this.orders.get(lookup.orderId) : this.ordersByClientId.get(lookup.clientOrderId);
  }

  findConditionalOrder(lookup: AlgoLookup): AlgoOrderRecord | undefined {
    return 'algoId' in lookup ? this.algoOrders.get(lookup.algoId) : this.algoByClientId.get(lookup.clientAlgoId);
  }

  allOrders(): OrderRecord[] {
    return [...this.orders.values()];
  }

  allConditionalOrders(): AlgoOrderRecord[] {
    return [...this.algoOrders.values()];
  }

  openAlgoOrders(): AlgoOrderRecord[] {
    return [...this.algoOrders.values()].filter((o) => o.status === 'NEW');
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

  state(markPrice: number): AccountState {
    const qty = this.positionSteps * this.step;
    const notional = qty * markPrice;
    const absNotional = Math.abs(notional);
    const unrealizedPnl = qty === 0 ? 0 : qty * (markPrice - this.entryPrice);
    const bracket = bracketForNotional(absNotional);
    const maintMargin = qty === 0 ? 0 : Math.max(0, absNotional * bracket.maintMarginRatio - bracket.cum);
    const positionInitialMargin = absNotional / this.leverageValue;
    const marginBalance = this.wallet + unrealizedPnl;
    const availableBalance = marginBalance - positionInitialMargin;
    const fee = this.config.takerFeeRate;
    return {
      walletBalance: this.wallet,
      unrealizedPnl,
      marginBalance,
      positionInitialMargin,
      maintMargin,
      availableBalance,
      maxWithdrawAmount: Math.max(0, Math.min(this.wallet, availableBalance)),
      positionSteps: this.positionSteps,
      entryPrice: this.entryPrice,
      // The price at which closing pays back the entry and exit fees.
      breakEvenPrice: qty === 0 ? 0 : qty > 0 ? (this.entryPrice * (1 + fee)) / (1 - fee) : (this.entryPrice * (1 - fee)) / (1 + fee),
      markPrice,
      notional,
      liquidationPrice: this.liquidationPrice(qty, bracket.maintMarginRatio, bracket.cum),
      positionUpdateTime: this.positionUpdateTime,
      balanceUpdateTime: this.balanceUpdateTime,
    };
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
      this.checkMargin(dir * qtySteps, price, triggerFill);
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
    side: OrderSide;
    origType: OrderRecord['origType'];
    qtySteps: number;
    price: number;
    reduceOnly: boolean;
    closePosition: boolean;
    stopPrice: number;
    time: number;
  }): OrderRecord {
    const delta = dirOf(f.side) * f.qtySteps;
    const after = this.positionAfter(delta, f.price);
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
    this.expireStaleReduceOrders(f.time);
    return order;
  }

  /** Position after a signed fill of `delta` steps at `price`, and the PnL it realises. */
  private positionAfter(delta: number, price: number): { steps: number; entryPrice: number; realizedPnl: number } {
    const before = this.positionSteps;
    const steps = before + delta;
    let realizedPnl = 0;
    if (before !== 0 && sign(delta) !== sign(before)) {
      const closedSteps = Math.min(Math.abs(delta), Math.abs(before));
      realizedPnl = sign(before) * closedSteps * this.step * (price - this.entryPrice);
    }
    let entryPrice: number;
    if (steps === 0) entryPrice = 0;
    else if (before === 0 || sign(steps) !== sign(before)) entryPrice = price;
    else if (Math.abs(steps) < Math.abs(before)) entryPrice = this.entryPrice;
    else entryPrice = (Math.abs(before) * this.entryPrice + Math.abs(delta) * price) / Math.abs(steps);
    return { steps, entryPrice, realizedPnl };
  }

  // Refuses an exposure-adding fill whose margin (before its fee) would not cover the new initial margin.
  private checkMargin(delta: number, price: number, markPrice: number): void {
    const before = this.positionSteps;
    const steps = before + delta;
    const adds = Math.abs(steps) > Math.abs(before) || (before !== 0 && steps !== 0 && sign(steps) !== sign(before));
    if (!adds) return;
    const after = this.positionAfter(delta, price);
    const qty = steps * this.step;
    const marginBalance = this.wallet + after.realizedPnl + qty * (markPrice - after.entryPrice);
    const initialMargin = (Math.abs(qty) * markPrice) / this.leverageValue;
    if (marginBalance < initialMargin) throw binanceErrors.marginInsufficient();
  }

  private expireStaleReduceOrders(time: number): void {
    for (const order of this.openAlgoOrders()) {
      if (!order.reduceOnly && !order.closePosition) continue;
      const reduces = this.positionSteps !== 0 && sign(this.positionSteps) !== dirOf(order.side);
      if (!reduces) {
        order.status = 'EXPIRED';
        order.updateTime = time;
      }
    }
  }

  // Cross margin, one position: the price at which margin balance falls to maintenance margin.
  private liquidationPrice(qty: number, mmr: number, cum: number): number {
    if (qty === 0) return 0;
    const size = Math.abs(qty);
    const price =
      qty > 0 ? (size * this.entryPrice - this.wallet - cum) / (size * (1 - mmr)) : (this.wallet + size * this.entryPrice + cum) / (size * (1 + mmr));
    return Math.max(0, price);
  }

  private withSlippage(price: number, dir: number): number {
    return price * (1 + (dir * this.config.slippageBps) / 10_000);
  }

  private toSteps(quantity: number): number {
    const steps = quantity / this.step;
    if (!Number.isFinite(steps) || Math.abs(steps - Math.round(steps)) > 1e-6) throw binanceErrors.precisionOverMaximum();
    return Math.round(steps);
  }

  // Validates the id (or makes one) and refuses one already used by any order of this account.
  private claimClientId(requested: string | undefined): string {
    if (requested === undefined) {
      let generated: string;
      do generated = `local-${this.nextGeneratedClientId++}`;
      while (this.usedClientIds.has(generated));
      return generated;
    }
    if (!CLIENT_ID.test(requested)) throw binanceErrors.illegalCharacters('newClientOrderId', '^[\\.A-Z\\:/a-z0-9_-]{1,36}$');
    if (this.usedClientIds.has(requested)) throw binanceErrors.duplicateClientOrderId();
    return requested;
  }

  private checkLeverage(leverage: number): void {
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > MAX_LEVERAGE) {
      throw binanceErrors.invalidLeverage(String(leverage));
    }
  }
}

/** Whether the last price has already reached the trigger (Binance refuses such an order: -2021). */
export function triggerCrossed(type: ConditionalType, side: OrderSide, price: number, trigger: number): boolean {
  return triggersBelow(type, side) ? price <= trigger : price >= trigger;
}

// Sell stops and buy take-profits wait for the price to fall to the trigger; the others for it to rise.
function triggersBelow(type: ConditionalType, side: OrderSide): boolean {
  return (type === 'STOP_MARKET') === (side === 'SELL');
}

/** The price a conditional order fills at within a bar: the trigger, or the open when the bar gaps past it. */
export function fillPriceInBar(order: Pick<AlgoOrderRecord, 'orderType' | 'side' | 'triggerPrice'>, bar: Bar): number | undefined {
  const trigger = order.triggerPrice;
  if (triggersBelow(order.orderType, order.side)) {
    if (bar.open <= trigger) return bar.open;
    return bar.low <= trigger ? trigger : undefined;
  }
  if (bar.open >= trigger) return bar.open;
  return bar.high >= trigger ? trigger : undefined;
}
