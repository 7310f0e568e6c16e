/**
 * The one USDT wallet of the local futures account, shared by every symbol's position (account-engine.ts runs one
 * engine per symbol): the balance and its bookings (GET /fapi/v1/income), the id counters (so order, trade and
 * algo ids are unique across symbols, and GET /fapi/v1/algoOrder, which takes no symbol, finds any) and the client
 * ids, which Binance refuses twice whatever the symbol. Each engine registers its position so that the margin of
 * one symbol's order sees the others' PnL and margin.
 */
import type { AccountTotals, Exposure, IncomeRecord, IncomeType } from './account-types';
import { ClientIds } from './order-validation';
import { NO_EXPOSURE } from './position-margin';

/** A position marked to its own market now. */
export interface PositionSource {
  exposure(): Exposure;
}

export class AccountLedger {
  readonly clientIds = new ClientIds();
  private walletValue: number;
  private balanceUpdate: number;
  private readonly incomeLog: IncomeRecord[] = [];
  private readonly sources = new Set<PositionSource>();
  private nextTranId = 9_000_001;
  private nextOrderId = 1_000_001;
  private nextTradeId = 1;
  private nextAlgoId = 2_000_001;

  constructor(startingBalance: number, fundedAt: number) {
    if (!(startingBalance >= 0)) throw new Error(`startingBalance must be >= 0, got ${startingBalance}`);
    this.walletValue = startingBalance;
    this.balanceUpdate = fundedAt;
  }

  get wallet(): number {
    return this.walletValue;
  }

  get balanceUpdateTime(): number {
    return this.balanceUpdate;
  }

  orderId(): number {
    return this.nextOrderId++;
  }

  tradeId(): number {
    return this.nextTradeId++;
  }

  algoId(): number {
    return this.nextAlgoId++;
  }

  register(source: PositionSource): void {
    this.sources.add(source);
  }

  /** The summed exposure of every registered position but `except`. */
  othersThan(except: PositionSource | undefined): Exposure {
    let sum = NO_EXPOSURE;
    for (const source of this.sources) {
      if (source === except) continue;
      const e = source.exposure();
      sum = {
        unrealizedPnl: sum.unrealizedPnl + e.unrealizedPnl,
        initialMargin: sum.initialMargin + e.initialMargin,
        maintMargin: sum.maintMargin + e.maintMargin,
        unavailable: sum.unavailable + e.unavailable,
        crossDrain: sum.crossDrain + e.crossDrain,
      };
    }
    return sum;
  }

  /** A fill's realised PnL and fee, booked on the wallet (REALIZED_PNL and COMMISSION records). */
  settleFill(symbol: string, realizedPnl: number, fee: number, time: number, tradeId: number): void {
    this.walletValue += realizedPnl - fee;
    this.balanceUpdate = time;
    if (realizedPnl !== 0) this.record(symbol, 'REALIZED_PNL', realizedPnl, time, tradeId);
    if (fee > 0) this.record(symbol, 'COMMISSION', -fee, time, tradeId);
  }

  /** A transfer into (positive) or out of the wallet, or a funding payment of `symbol`'s position. */
  bookIncome(symbol: string, type: Extract<IncomeType, 'TRANSFER' | 'FUNDING_FEE'>, amount: number, time: number): IncomeRecord {
    if (!Number.isFinite(amount) || amount === 0) throw new Error(`income amount must be a non-zero number, got ${amount}`);
    if (type === 'TRANSFER' && this.walletValue + amount < 0) throw new Error(`a transfer of ${amount} exceeds the wallet balance ${this.walletValue}`);
    this.walletValue += amount;
    this.balanceUpdate = time;
    return this.record(type === 'TRANSFER' ? '' : symbol, type, amount, time, null);
  }

  /** Every booking, oldest first. */
  income(): readonly IncomeRecord[] {
    return this.incomeLog;
  }

  /** The whole account with every registered position marked to its market. */
  totals(): AccountTotals {
    const all = this.othersThan(undefined);
    const marginBalance = this.walletValue + all.unrealizedPnl;
    const availableBalance = this.walletValue - all.unavailable;
    return {
      walletBalance: this.walletValue,
      unrealizedPnl: all.unrealizedPnl,
      marginBalance,
      positionInitialMargin: all.initialMargin,
      maintMargin: all.maintMargin,
      availableBalance,
      maxWithdrawAmount: Math.max(0, Math.min(this.walletValue, availableBalance)),
      balanceUpdateTime: this.balanceUpdate,
    };
  }

  private record(symbol: string, incomeType: IncomeType, income: number, time: number, tradeId: number | null): IncomeRecord {
    const record: IncomeRecord = { tranId: this.nextTranId++, symbol, incomeType, income, time, tradeId };
    this.incomeLog.push(record);
    return record;
  }
}
