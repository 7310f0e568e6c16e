// Position, PnL and margin figures as pure functions of the account's bookkeeping (one-way mode, one wallet for
// every symbol's position): the arithmetic of the account, apart from the order handling that changes it.
// `others` is what the account's other positions add (zero with one symbol), so one position's margin check and
// figures see the whole wallet. A cross-margin position draws on the wallet with its PnL (its initial margin less
// its PnL is unavailable); an isolated one sets aside its isolated wallet (notional at entry / leverage, as the
// domain's margin model) and its PnL stays inside it, as in Binance's isolated mode.
import type { AccountState, Exposure, WireOrderSide } from './account-types';
import { binanceErrors } from './binance-errors';
import type { LeverageBracket } from '../domain/trading';
import { bracketForNotional } from './exchange-info';

export const NO_EXPOSURE: Exposure = { unrealizedPnl: 0, initialMargin: 0, maintMargin: 0, unavailable: 0, crossDrain: 0 };

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
  readonly brackets: readonly LeverageBracket[];
  readonly isolated: boolean;
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

/** The margin an isolated position sets aside: its notional at entry over the leverage (0 in cross margin). */
export function isolatedWalletOf(book: Pick<PositionBook, 'step' | 'positionSteps' | 'entryPrice' | 'leverage' | 'isolated'>): number {
  return book.isolated ? (Math.abs(book.positionSteps) * book.step * book.entryPrice) / book.leverage : 0;
}

/** What this position adds to the account at `markPrice`. */
export function exposureOf(book: PositionBook, markPrice: number): Exposure {
  const qty = book.positionSteps * book.step;
  if (qty === 0) return NO_EXPOSURE;
  const absNotional = Math.abs(qty * markPrice);
  const bracket = bracketForNotional(absNotional, book.brackets);
  const unrealizedPnl = qty * (markPrice - book.entryPrice);
  const initialMargin = absNotional / book.leverage;
  const maintMargin = Math.max(0, absNotional * bracket.maintMarginRatio - bracket.cum);
  const isolatedWallet = isolatedWalletOf(book);
  return {
    unrealizedPnl,
    initialMargin,
    maintMargin,
    unavailable: book.isolated ? isolatedWallet : initialMargin - unrealizedPnl,
    crossDrain: book.isolated ? isolatedWallet : maintMargin - unrealizedPnl,
  };
}

// Refuses an exposure-adding fill after which (before its fee) the available balance would be negative: the
// wallet no longer covers every position's initial margin (cross: net of its PnL; isolated: its isolated wallet).
export function checkMargin(book: PositionBook, delta: number, price: number, markPrice: number, others: Exposure = NO_EXPOSURE): void {
  const before = book.positionSteps;
  const steps = before + delta;
  const adds = Math.abs(steps) > Math.abs(before) || (before !== 0 && steps !== 0 && sign(steps) !== sign(before));
  if (!adds) return;
  const after = positionAfter(book, delta, price);
  const own = exposureOf({ ...book, positionSteps: steps, entryPrice: after.entryPrice }, markPrice);
  if (book.wallet + after.realizedPnl - others.unavailable - own.unavailable < 0) throw binanceErrors.marginInsufficient();
}

// The price at which the margin backing the position (`wallet`: its isolated wallet, or in cross margin the wallet
// less what the other positions draw on it) falls to the maintenance margin.
function liquidationPrice(wallet: number, entryPrice: number, qty: number, mmr: number, cum: number): number {
  if (qty === 0) return 0;
  const size = Math.abs(qty);
  const price = qty > 0 ? (size * entryPrice - wallet - cum) / (size * (1 - mmr)) : (wallet + size * entryPrice + cum) / (size * (1 + mmr));
  return Math.max(0, price);
}

/** Position and margin figures at `markPrice` (Binance's account/positionRisk fields). */
export function accountState(
  book: PositionBook & { readonly takerFeeRate: number; readonly positionUpdateTime: number; readonly balanceUpdateTime: number },
  markPrice: number,
  others: Exposure = NO_EXPOSURE,
): AccountState {
  const qty = book.positionSteps * book.step;
  const notional = qty * markPrice;
  const bracket = bracketForNotional(Math.abs(notional), book.brackets);
  const own = exposureOf(book, markPrice);
  const isolatedWallet = isolatedWalletOf(book);
  // Balances are the account's (one wallet, every position); the position figures are this symbol's.
  const marginBalance = book.wallet + others.unrealizedPnl + own.unrealizedPnl;
  const availableBalance = book.wallet - others.unavailable - own.unavailable;
  const backing = book.isolated ? isolatedWallet : book.wallet - others.crossDrain;
  const fee = book.takerFeeRate;
  return {
    walletBalance: book.wallet,
    unrealizedPnl: own.unrealizedPnl,
    marginBalance,
    positionInitialMargin: own.initialMargin,
    maintMargin: own.maintMargin,
    availableBalance,
    maxWithdrawAmount: Math.max(0, Math.min(book.wallet, availableBalance)),
    positionSteps: book.positionSteps,
    entryPrice: book.entryPrice,
    // The price at which closing pays back the entry and exit fees.
    breakEvenPrice: qty === 0 ? 0 : qty > 0 ? (book.entryPrice * (1 + fee)) / (1 - fee) : (book.entryPrice * (1 - fee)) / (1 + fee),
    markPrice,
    notional,
    isolatedWallet,
    liquidationPrice: liquidationPrice(backing, book.entryPrice, qty, bracket.maintMarginRatio, bracket.cum),
    positionUpdateTime: book.positionUpdateTime,
    balanceUpdateTime: book.balanceUpdateTime,
  };
}
