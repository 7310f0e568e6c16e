/**
 * The account-wide answers in Binance USD-M's JSON shapes (GET /fapi/v2|v3/account, /fapi/v2|v3/balance), as
 * ccxt's parseBalance reads them: one USDT wallet, totals over every symbol's position, and each symbol's entry.
 */
import type { AccountState, AccountTotals } from './account-types';
import { fixed } from './decimal-format';
import type { ResponseFormatter } from './rest-responses';

/** A symbol's formatter and its position now. */
export interface PositionEntry {
  readonly format: ResponseFormatter;
  readonly state: AccountState;
}

function asset(t: AccountTotals, quoteAsset: string): Record<string, unknown> {
  return {
    asset: quoteAsset,
    walletBalance: fixed(t.walletBalance, 8),
    unrealizedProfit: fixed(t.unrealizedPnl, 8),
    marginBalance: fixed(t.marginBalance, 8),
    maintMargin: fixed(t.maintMargin, 8),
    initialMargin: fixed(t.positionInitialMargin, 8),
    positionInitialMargin: fixed(t.positionInitialMargin, 8),
    openOrderInitialMargin: fixed(0, 8),
    crossWalletBalance: fixed(t.walletBalance, 8),
    crossUnPnl: fixed(t.unrealizedPnl, 8),
    availableBalance: fixed(t.availableBalance, 8),
    maxWithdrawAmount: fixed(t.maxWithdrawAmount, 8),
    marginAvailable: true,
    updateTime: t.balanceUpdateTime,
  };
}

function totals(t: AccountTotals): Record<string, unknown> {
  return {
    totalInitialMargin: fixed(t.positionInitialMargin, 8),
    totalMaintMargin: fixed(t.maintMargin, 8),
    totalWalletBalance: fixed(t.walletBalance, 8),
    totalUnrealizedProfit: fixed(t.unrealizedPnl, 8),
    totalMarginBalance: fixed(t.marginBalance, 8),
    totalPositionInitialMargin: fixed(t.positionInitialMargin, 8),
    totalOpenOrderInitialMargin: fixed(0, 8),
    totalCrossWalletBalance: fixed(t.walletBalance, 8),
    totalCrossUnPnl: fixed(t.unrealizedPnl, 8),
    availableBalance: fixed(t.availableBalance, 8),
    maxWithdrawAmount: fixed(t.maxWithdrawAmount, 8),
  };
}

/** GET /fapi/v3/account (ccxt's fetchBalance): positions only when open. */
export function accountV3(t: AccountTotals, quoteAsset: string, positions: readonly PositionEntry[]): Record<string, unknown> {
  return {
    ...totals(t),
    assets: [asset(t, quoteAsset)],
    positions: positions.filter((p) => p.state.positionSteps !== 0).map((p) => p.format.accountPositionV3(p.state)),
  };
}

/** GET /fapi/v2/account: account flags, and every symbol's position with leverage. */
export function accountV2(t: AccountTotals, quoteAsset: string, positions: readonly PositionEntry[]): Record<string, unknown> {
  return {
    feeTier: 0,
    feeBurn: false,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: 0,
    multiAssetsMargin: false,
    tradeGroupId: -1,
    ...totals(t),
    assets: [asset(t, quoteAsset)],
    positions: positions.map((p) => p.format.accountPositionV2(p.state)),
  };
}

/** GET /fapi/v2/balance and /fapi/v3/balance. */
export function balance(t: AccountTotals, quoteAsset: string): Record<string, unknown>[] {
  return [
    {
      accountAlias: 'SgsRmYFzAuTXoCsR',
      asset: quoteAsset,
      balance: fixed(t.walletBalance, 8),
      crossWalletBalance: fixed(t.walletBalance, 8),
      crossUnPnl: fixed(t.unrealizedPnl, 8),
      availableBalance: fixed(t.availableBalance, 8),
      maxWithdrawAmount: fixed(t.maxWithdrawAmount, 8),
      marginAvailable: true,
      updateTime: t.balanceUpdateTime,
    },
  ];
}
