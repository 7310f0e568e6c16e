// The records, requests and figures of the local futures account, apart from the engine so that the REST
// layer and the response builders can name them without reading the matching code.
import type { InstrumentSpec } from './exchange-info';

/** Binance's REST wire casing of an order side (the domain's OrderSide is ccxt's lowercase). */
export type WireOrderSide = 'BUY' | 'SELL';
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
  readonly side: WireOrderSide;
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
  readonly side: WireOrderSide;
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
  readonly side: WireOrderSide;
  readonly price: number;
  readonly qtySteps: number;
  readonly realizedPnl: number;
  readonly commission: number;
  readonly time: number;
}

export interface MarketOrderRequest {
  readonly side: WireOrderSide;
  readonly quantity: number;
  readonly reduceOnly: boolean;
  readonly clientOrderId?: string;
}

export interface ConditionalOrderRequest {
  readonly side: WireOrderSide;
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
  /** The margin set aside for an isolated position (0 in cross margin). */
  readonly isolatedWallet: number;
  readonly liquidationPrice: number;
  readonly positionUpdateTime: number;
  readonly balanceUpdateTime: number;
}

export type OrderLookup = { readonly orderId: number } | { readonly clientOrderId: string };
export type AlgoLookup = { readonly algoId: number } | { readonly clientAlgoId: string };

/** Binance's income types the local account books (GET /fapi/v1/income). */
export type IncomeType = 'REALIZED_PNL' | 'COMMISSION' | 'FUNDING_FEE' | 'TRANSFER';

/** One booking of the wallet: what moved the balance, when, by how much (negative = paid). */
export interface IncomeRecord {
  readonly tranId: number;
  /** The position's symbol ('' for transfers, which belong to the wallet). */
  readonly symbol: string;
  readonly incomeType: IncomeType;
  readonly income: number;
  readonly time: number;
  /** The trade that caused it (empty for funding and transfers). */
  readonly tradeId: number | null;
}

/** What one position adds to the account at its mark price (for the margin of the others). */
export interface Exposure {
  readonly unrealizedPnl: number;
  readonly initialMargin: number;
  readonly maintMargin: number;
  /** What it takes from the available balance (cross: initial margin less PnL; isolated: its isolated wallet). */
  readonly unavailable: number;
  /** What it takes from the wallet backing cross positions (cross: maintenance margin less PnL; isolated: its wallet). */
  readonly crossDrain: number;
}

/** The account as a whole: one wallet, every position marked to its own market (account / balance endpoints). */
export interface AccountTotals {
  readonly walletBalance: number;
  readonly unrealizedPnl: number;
  readonly marginBalance: number;
  readonly positionInitialMargin: number;
  readonly maintMargin: number;
  readonly availableBalance: number;
  readonly maxWithdrawAmount: number;
  readonly balanceUpdateTime: number;
}
