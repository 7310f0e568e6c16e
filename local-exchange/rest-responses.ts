/**
 * One symbol's records in Binance USD-M's JSON shapes (field names, string-encoded decimals), as ccxt's parseOrder /
 * parsePositionRisk read them; the account-wide answers (account, balance) are in rest-account-responses.ts.
 */
import type { AccountEngine } from './account-engine';
import type { AccountState, AlgoOrderRecord, OrderRecord, IncomeRecord, TradeRecord } from './account-types';
import { fixed, plain } from './decimal-format';
import { bracketsOf, decimalsOf, maxNotionalForLeverage, type InstrumentSpec } from './exchange-info';

export class ResponseFormatter {
  private readonly priceDecimals: number;
  private readonly qtyDecimals: number;
  private readonly step: number;

  constructor(
    private readonly spec: InstrumentSpec,
    private readonly engine: AccountEngine,
  ) {
    this.priceDecimals = decimalsOf(spec.tickSize);
    this.qtyDecimals = decimalsOf(spec.stepSize);
    this.step = Number(spec.stepSize);
  }

  qty(steps: number): string {
    return fixed(steps * this.step, this.qtyDecimals);
  }

  price(value: number): string {
    return fixed(value, this.priceDecimals);
  }

  /** A fill price: as traded (the replayed close may be finer than the tick), rounded to 8 decimals. */
  fillPrice(value: number): string {
    return plain(Number(value.toFixed(8)));
  }

  /**
   * POST/GET /fapi/v1/order. `ack` mimics newOrderRespType=ACK (Binance answers before the fill is reported);
   * `withTime` adds the creation time that GET answers carry.
   */
  order(o: OrderRecord, options: { ack?: boolean; withTime?: boolean } = {}): Record<string, unknown> {
    const ack = options.ack === true;
    return {
      orderId: o.orderId,
      symbol: this.spec.symbol,
      status: ack ? 'NEW' : 'FILLED',
      clientOrderId: o.clientOrderId,
      price: '0',
      avgPrice: ack ? '0.00' : this.fillPrice(o.avgPrice),
      origQty: this.qty(o.origQtySteps),
      executedQty: ack ? this.qty(0) : this.qty(o.executedQtySteps),
      cumQty: ack ? this.qty(0) : this.qty(o.executedQtySteps),
      cumQuote: ack ? fixed(0, 8) : fixed(o.executedQtySteps * this.step * o.avgPrice, 8),
      timeInForce: 'GTC',
      type: 'MARKET',
      reduceOnly: o.reduceOnly,
      closePosition: o.closePosition,
      side: o.side,
      positionSide: 'BOTH',
      stopPrice: o.stopPrice === 0 ? '0' : this.price(o.stopPrice),
      workingType: 'CONTRACT_PRICE',
      priceProtect: false,
      origType: o.origType,
      priceMatch: 'NONE',
      selfTradePreventionMode: 'EXPIRE_MAKER',
      goodTillDate: 0,
      ...(options.withTime === true ? { time: o.time } : {}),
      updateTime: o.updateTime,
    };
  }

  /** POST/GET /fapi/v1/algoOrder, GET /fapi/v1/openAlgoOrders. */
  algoOrder(o: AlgoOrderRecord): Record<string, unknown> {
    return {
      algoId: o.algoId,
      clientAlgoId: o.clientAlgoId,
      algoType: 'CONDITIONAL',
      orderType: o.orderType,
      symbol: this.spec.symbol,
      side: o.side,
      positionSide: 'BOTH',
      timeInForce: 'GTC',
      quantity: this.qty(o.quantitySteps),
      algoStatus: o.status,
      actualOrderId: o.actualOrderId === undefined ? '' : String(o.actualOrderId),
      actualPrice: o.actualPrice === undefined ? '0.00000' : this.fillPrice(o.actualPrice),
      triggerPrice: this.price(o.triggerPrice),
      price: this.price(0),
      icebergQuantity: null,
      tpTriggerPrice: this.price(0),
      tpPrice: this.price(0),
      slTriggerPrice: this.price(0),
      slPrice: this.price(0),
      tpOrderType: '',
      selfTradePreventionMode: 'EXPIRE_MAKER',
      workingType: 'CONTRACT_PRICE',
      priceMatch: 'NONE',
      closePosition: o.closePosition,
      priceProtect: false,
      reduceOnly: o.reduceOnly,
      createTime: o.createTime,
      updateTime: o.updateTime,
      triggerTime: o.triggerTime,
      goodTillDate: 0,
    };
  }

  /** GET /fapi/v1/income. */
  income(r: IncomeRecord): Record<string, unknown> {
    return {
      symbol: r.symbol,
      incomeType: r.incomeType,
      income: fixed(r.income, 8),
      asset: this.spec.quoteAsset,
      info: r.incomeType,
      time: r.time,
      tranId: r.tranId,
      tradeId: r.tradeId === null ? '' : String(r.tradeId),
    };
  }

  /** GET /fapi/v1/userTrades. */
  trade(t: TradeRecord): Record<string, unknown> {
    return {
      buyer: t.side === 'BUY',
      commission: fixed(t.commission, 8),
      commissionAsset: this.spec.quoteAsset,
      id: t.id,
      maker: false,
      orderId: t.orderId,
      price: this.fillPrice(t.price),
      qty: this.qty(t.qtySteps),
      quoteQty: fixed(t.qtySteps * this.step * t.price, 8),
      realizedPnl: fixed(t.realizedPnl, 8),
      side: t.side,
      positionSide: 'BOTH',
      symbol: this.spec.symbol,
      time: t.time,
    };
  }

  /** Isolated margin of the position (Binance: its wallet, and that plus unrealised PnL); 0 in cross margin. */
  private isolated(s: AccountState): { isolatedMargin: string; isolatedWallet: string } {
    if (this.engine.marginType !== 'ISOLATED' || s.positionSteps === 0) return { isolatedMargin: fixed(0, 8), isolatedWallet: '0' };
    return { isolatedMargin: fixed(s.isolatedWallet + s.unrealizedPnl, 8), isolatedWallet: fixed(s.isolatedWallet, 8) };
  }

  /** GET /fapi/v3/positionRisk: only an open position is listed. */
  positionRiskV3(s: AccountState): Record<string, unknown>[] {
    if (s.positionSteps === 0) return [];
    return [
      {
        symbol: this.spec.symbol,
        positionSide: 'BOTH',
        positionAmt: this.qty(s.positionSteps),
        ...this.positionPrices(s),
        ...this.isolated(s),
        notional: fixed(s.notional, 8),
        marginAsset: this.spec.quoteAsset,
        initialMargin: fixed(s.positionInitialMargin, 8),
        maintMargin: fixed(s.maintMargin, 8),
        positionInitialMargin: fixed(s.positionInitialMargin, 8),
        openOrderInitialMargin: '0',
        adl: 0,
        bidNotional: '0',
        askNotional: '0',
        updateTime: s.positionUpdateTime,
      },
    ];
  }

  /** GET /fapi/v2/positionRisk: every symbol is listed, open or not, with leverage and margin type. */
  positionRiskV2(s: AccountState): Record<string, unknown>[] {
    const leverage = this.engine.leverage;
    return [
      {
        symbol: this.spec.symbol,
        positionAmt: this.qty(s.positionSteps),
        ...this.positionPrices(s),
        leverage: String(leverage),
        maxNotionalValue: String(maxNotionalForLeverage(leverage, bracketsOf(this.spec))),
        marginType: this.engine.marginType === 'CROSSED' ? 'cross' : 'isolated',
        ...this.isolated(s),
        isAutoAddMargin: 'false',
        positionSide: 'BOTH',
        notional: fixed(s.notional, 8),
        updateTime: s.positionUpdateTime,
      },
    ];
  }

  /** The price fields both positionRisk versions report. */
  private positionPrices(s: AccountState): Record<string, unknown> {
    return {
      entryPrice: this.fillPrice(s.entryPrice),
      breakEvenPrice: this.fillPrice(s.breakEvenPrice),
      markPrice: this.fillPrice(s.markPrice),
      unRealizedProfit: fixed(s.unrealizedPnl, 8),
      liquidationPrice: this.fillPrice(s.liquidationPrice),
    };
  }

  /** This symbol's entry in GET /fapi/v3/account's positions (listed only when open). */
  accountPositionV3(s: AccountState): Record<string, unknown> {
    return {
      symbol: this.spec.symbol,
      positionSide: 'BOTH',
      positionAmt: this.qty(s.positionSteps),
      unrealizedProfit: fixed(s.unrealizedPnl, 8),
      ...this.isolated(s),
      notional: fixed(s.notional, 8),
      initialMargin: fixed(s.positionInitialMargin, 8),
      maintMargin: fixed(s.maintMargin, 8),
      updateTime: s.positionUpdateTime,
    };
  }

  /** This symbol's entry in GET /fapi/v2/account's positions (every symbol, with leverage). */
  accountPositionV2(s: AccountState): Record<string, unknown> {
    const leverage = this.engine.leverage;
    return {
      symbol: this.spec.symbol,
      initialMargin: fixed(s.positionInitialMargin, 8),
      maintMargin: fixed(s.maintMargin, 8),
      unrealizedProfit: fixed(s.unrealizedPnl, 8),
      positionInitialMargin: fixed(s.positionInitialMargin, 8),
      openOrderInitialMargin: '0',
      leverage: String(leverage),
      isolated: this.engine.marginType === 'ISOLATED',
      entryPrice: this.fillPrice(s.entryPrice),
      breakEvenPrice: this.fillPrice(s.breakEvenPrice),
      maxNotional: String(maxNotionalForLeverage(leverage, bracketsOf(this.spec))),
      bidNotional: '0',
      askNotional: '0',
      positionSide: 'BOTH',
      positionAmt: this.qty(s.positionSteps),
      updateTime: s.positionUpdateTime,
    };
  }
}
