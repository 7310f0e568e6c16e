/**
 * The contract of the live bot's reconciliation with the exchange (domain/trading/reconcile.ts decides): what the
 * bot carries, what its status shows, and the inputs and outputs of the reconciliation activities.
 */
import type { ProtectiveOrderIds } from '../domain/client-order-id';
import type { ExchangeSettings } from '../domain/exchange-settings';
import type { AccountSnapshot, BalanceBaseline, Difference, StoredTradingParams } from '../domain/trading';
import type { TradingMode } from '../domain/trading-mode';

/** unchecked: not compared yet; unreadable: the exchange could not be read (no entries until it can). */
export type ReconciliationStatusName = 'unchecked' | 'ok' | 'explained' | 'mismatch' | 'unreadable';

export interface ReconciliationState {
  readonly status: ReconciliationStatusName;
  /** Open time of the last bar processed when the exchange was last compared (null: never). */
  readonly checkedAt: number | null;
  /** The differences of the last comparison that found any (kept while they stand). */
  readonly differences: readonly Difference[];
  /** Why the exchange could not be read. */
  readonly error: string | null;
  readonly baseline: BalanceBaseline | null;
  /** Time of the last funding booking already applied (Unix ms). */
  readonly fundingThrough: number | null;
  /** Unexplained wallet change of the standing mismatch, booked on the bot's cash by `adopt`. */
  readonly balanceGap: number;
  /** Adoptions so far: numbers the protective orders each one places again (their client order id attempt). */
  readonly adoptions: number;
  /** An operator resolution waiting for the next loop: adopt, or adopt then flatten. */
  readonly resolving: 'adopt' | 'flatten' | null;
}

export const INITIAL_RECONCILIATION: ReconciliationState = {
  status: 'unchecked',
  checkedAt: null,
  differences: [],
  error: null,
  baseline: null,
  fundingThrough: null,
  balanceGap: 0,
  adoptions: 0,
  resolving: null,
};

export interface ReadAccountInput {
  readonly symbol: string;
  readonly exchange: ExchangeSettings;
  /** The bot's protective orders, whose state on the exchange is read. */
  readonly protective: ProtectiveOrderIds | null;
  /** Funding bookings after this time are summed (null: the first check, which only takes the exchange's time). */
  readonly fundingAfter: number | null;
}

export interface AdoptInput {
  readonly workflowId: string;
  readonly symbol: string;
  readonly exchange: ExchangeSettings;
  /** The bar the adoption follows (part of the protective orders' client ids, with `attempt`). */
  readonly barOpenTime: number;
  readonly attempt: number;
  /** The bot's protective orders to cancel first. */
  readonly protective: ProtectiveOrderIds | null;
  /** Place protective orders for the adopted position (false when a flatten follows). */
  readonly protect: boolean;
  readonly trading: StoredTradingParams;
  readonly fundingAfter: number | null;
}

export interface AdoptResult {
  readonly snapshot: AccountSnapshot;
  readonly protective: ProtectiveOrderIds | null;
}

export interface RecordReconciliationInput {
  readonly workflowId: string;
  readonly symbol: string;
  readonly mode: TradingMode;
  readonly barTime: number;
  readonly kind: 'check' | 'adopt' | 'flatten';
  readonly status: ReconciliationStatusName;
  readonly differences: readonly Difference[];
  /** The bot's side of the comparison (position, protective order ids, cash). */
  readonly bot: Readonly<Record<string, unknown>>;
  readonly exchange: AccountSnapshot | null;
}

/** What the read-account activity returns: the snapshot and the instrument's quantity step (the tolerance). */
export interface AccountReading {
  readonly snapshot: AccountSnapshot;
  readonly qtyStep: number;
}
