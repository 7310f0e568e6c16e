// Position, PnL and margin figures as pure functions of the account's bookkeeping (one-way mode, cross margin):
// the arithmetic of the account, apart from the order handling that changes it.
import type { AccountState, WireOrderSide } from './account-types';
import { binanceErrors } from './binance-errors';
import { bracketForNotional } from './exchange-info';

export const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
export const dirOf = (side: WireOrderSide) => (side === 'BUY' ? 1 : -1);

/** What the figures derive from: quantities in whole steps of `step` base units, money in the quote asset. */
export interface PositionBook {
  readonly step: number;
  readonly wallet: number;
  /** Signed: negative for a short. */
  readonly positionSteps: number;
  readonly entryPrice: number;
  readonly leverage: number;
}

/** Position after a signed fill of `delta` steps at `price`, and the PnL it realises. */
export function positionAfter(book: PositionBook, delta: number, price: number): { steps: number; entryPrice: number; realizedPnl: number } {
  const before = book.positionSteps;
  const steps = before + delta;
  let realizedPnl = 0;
  if (before !== 0 && sign(delta) !== sign(before)) {
    const closedSteps = Math.min(Math.abs(delta), Math.abs(before));
    realizedPnl = sign(before) * closedSteps * book.step * (price - book.entryPrice);
  }
  let entryPrice: number;
  if (steps === 0) entryPrice = 0;
  else if (before === 0 || sign(steps) !== sign(before)) entryPrice = price;
  else if (Math.abs(steps) < Math.abs(before)) entryPrice = book.entryPrice;
  else entryPrice = (Math.abs(before) * book.entryPrice + Math.abs(delta) * price) / Math.abs(steps);
  return { steps, entryPrice, realizedPnl };
}

// Refuses an exposure-adding fill whose margin (before its fee) would not cover the new initial margin.
export function checkMargin(book: PositionBook, delta: number, price: number, markPrice: number): void {
  const before = book.positionSteps;
  const steps = before + delta;
  const adds = Math.abs(steps) > Math.abs(before) || (before !== 0 && steps !== 0 && sign(steps) !== sign(before));
  if (!adds) return;
  const after = positionAfter(book, delta, price);
  const qty = steps * book.step;
  const marginBalance = book.wallet + after.realizedPnl + qty * (markPrice - after.entryPrice);
  const initialMargin = (Math.abs(qty) * markPrice) / book.leverage;
  if (marginBalance < initialMargin) throw binanceErrors.marginInsufficient();
}

// Cross margin, one position: the price at which margin balance falls to maintenance margin.
function liquidationPrice(book: PositionBook, qty: number, mmr: number, cum: number): number {
  if (qty === 0) return 0;
  const size = Math.abs(qty);
  const price = qty > 0 ? (size * book.entryPrice - book.wallet - cum) / (size * (1 - mmr)) : (book.wallet + size * book.entryPrice + cum) / (size * (1 + mmr));
  return Math.max(0, price);
}

/** Position and margin figures at `markPrice` (Binance's account/positionRisk fields). */
export function accountState(
  book: PositionBook & { readonly takerFeeRate: number; readonly positionUpdateTime: number; readonly balanceUpdateTime: number },
  markPrice: number,
): AccountState {
  const qty = book.positionSteps * book.step;
  const notional = qty * markPrice;
  const absNotional = Math.abs(notional);
  const unrealizedPnl = qty === 0 ? 0 : qty * (markPrice - book.entryPrice);
  const bracket = bracketForNotional(absNotional);
  const maintMargin = qty === 0 ? 0 : Math.max(0, absNotional * bracket.maintMarginRatio - bracket.cum);
  const positionInitialMargin = absNotional / book.leverage;
  const marginBalance = book.wallet + unrealizedPnl;
  const availableBalance = marginBalance - positionInitialMargin;
  const fee = book.takerFeeRate;
  return {
    walletBalance: book.wallet,
    unrealizedPnl,
    marginBalance,
    positionInitialMargin,
    maintMargin,
    availableBalance,
    maxWithdrawAmount: Math.max(0, Math.min(book.wallet, availableBalance)),
    positionSteps: book.positionSteps,
    entryPrice: book.entryPrice,
    // The price at which closing pays back the entry and exit fees.
    breakEvenPrice: qty === 0 ? 0 : qty > 0 ? (book.entryPrice * (1 + fee)) / (1 - fee) : (book.entryPrice * (1 - fee)) / (1 + fee),
    markPrice,
    notional,
    liquidationPrice: liquidationPrice(book, qty, bracket.maintMarginRatio, bracket.cum),
    positionUpdateTime: book.positionUpdateTime,
    balanceUpdateTime: book.balanceUpdateTime,
  };
}
