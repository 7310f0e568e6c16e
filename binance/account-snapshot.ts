// The exchange's side of a reconciliation (domain/trading/reconcile.ts): position, the bot's protective orders,
// the wallet balance and the funding booked since the last check, read through ccxt and checked with zod.
import type { Exchange } from 'ccxt';
import { z } from 'zod';
import type { ProtectiveOrderIds } from '../domain/client-order-id';
import type { AccountSnapshot, ProtectiveOrderState } from '../domain/trading';
import { accountSchema, parseExchangeData, type ParsedOrder } from './exchange-replies';
import type { ExchangePosition } from './execution-types';

const fundingSchema = z.array(z.object({ timestamp: z.number(), amount: z.number(), code: z.string().nullish() }));

export interface SnapshotSources {
  readonly exchange: Exchange;
  /** ccxt's unified symbol (BTC/USDT:USDT) and its settlement asset (USDT). */
  readonly marketSymbol: string;
  readonly settle: string;
  fetchPosition(): Promise<ExchangePosition>;
  /** An algo (conditional) order by client id, undefined when the exchange has none. */
  lookupAlgo(clientOrderId: string): Promise<ParsedOrder | undefined>;
}

function protectiveState(order: ParsedOrder | undefined): ProtectiveOrderState {
  if (order === undefined) return 'missing';
  if (order.status === 'open') return 'open';
  if (order.status === 'closed') return 'filled';
  if (order.status === 'canceled') return 'canceled';
  return 'expired';
}

/** The wallet balance (without unrealised PnL) in the settlement asset. */
export async function walletBalance(exchange: Exchange, settle: string): Promise<number> {
  const balance = await exchange.fetchBalance();
  const account = parseExchangeData(accountSchema, balance.info, 'account (fetchBalance info)');
  const asset = account.assets.find((a) => a.asset === settle);
  if (asset === undefined) throw new Error(`The futures account lists no ${settle} balance`);
  const wallet = Number(asset.walletBalance);
  if (!Number.isFinite(wallet)) throw new Error(`Unreadable ${settle} wallet balance: ${asset.walletBalance}`);
  return wallet;
}

/** Funding bookings after `after` (GET /fapi/v1/income, incomeType FUNDING_FEE), summed, with the last one's time. */
async function fundingAfter(sources: SnapshotSources, after: number): Promise<{ amount: number; through: number }> {
  const rows = parseExchangeData(fundingSchema, await sources.exchange.fetchFundingHistory(sources.marketSymbol, after + 1, 1000), 'funding history');
  let amount = 0;
  let through = after;
  for (const r of rows) {
    if (r.timestamp <= after) continue;
    amount += r.amount;
    through = Math.max(through, r.timestamp);
  }
  return { amount, through };
}

export async function readAccountSnapshot(
  sources: SnapshotSources,
  protective: ProtectiveOrderIds | null,
  options: { readonly fundingAfter: number | null; readonly now: number },
): Promise<AccountSnapshot> {
  const position = await sources.fetchPosition();
  const states = protective
    ? { sl: protectiveState(await sources.lookupAlgo(protective.sl)), tp: protectiveState(await sources.lookupAlgo(protective.tp)) }
    : null;
  const wallet = await walletBalance(sources.exchange, sources.settle);
  // The exchange's clock: funding bookings carry its time (the local exchange's is its replay time).
  const now = (await sources.exchange.fetchTime()) ?? options.now;
  // The first check only sets the reference: funding booked before it is in the wallet already.
  const funding = options.fundingAfter === null ? { amount: 0, through: now } : await fundingAfter(sources, options.fundingAfter);
  return {
    time: now,
    position: position.side === null || position.entryPrice === null ? null : { side: position.side, qty: position.qty, entryPrice: position.entryPrice },
    protective: states,
    walletBalance: wallet,
    funding,
  };
}
