/**
 * Reconciliation of the bot's account view with the exchange's (live mode): position side, quantity and entry
 * price, the bot's protective orders, and the wallet balance. Pure: the workflow reads the exchange through an
 * activity and decides here what is explained (applied and recorded) and what is not (entries halt until an
 * operator adopts the exchange's state or flattens).
 *
 * The balance is compared by its changes, not its level: the bot's capital (execution.base_capital) need not equal
 * the account's wallet. Since the last check, the wallet must have moved by what the bot booked (realised PnL and
 * fees of its own fills) plus the funding the exchange booked; anything else (a transfer, a trade by hand) is not
 * explained.
 */
import type { ProtectiveOrderIds } from '../client-order-id';
import type { Side, TraderState } from './state';

/** What became of one of the bot's protective orders on the exchange. */
export type ProtectiveOrderState = 'open' | 'filled' | 'canceled' | 'expired' | 'missing';

export interface ExchangePositionView {
  readonly side: Side;
  readonly qty: number;
  readonly entryPrice: number;
}

/** The exchange's side of the comparison, read by one activity. */
export interface AccountSnapshot {
  /** When it was read (Unix ms). */
  readonly time: number;
  readonly position: ExchangePositionView | null;
  /** The bot's protective orders as the exchange lists them; null when the bot has none. */
  readonly protective: { readonly sl: ProtectiveOrderState; readonly tp: ProtectiveOrderState } | null;
  readonly walletBalance: number;
  /** Funding the exchange booked after the previous check (negative: paid), and the time of its last booking. */
  readonly funding: { readonly amount: number; readonly through: number };
}

/** The wallet and the bot's cash at the last check whose balances agreed. */
export interface BalanceBaseline {
  readonly wallet: number;
  readonly cash: number;
}

export interface BotAccountView {
  readonly trader: TraderState;
  readonly protective: ProtectiveOrderIds | null;
  readonly baseline: BalanceBaseline | null;
}

export type DifferenceField = 'position' | 'quantity' | 'entry_price' | 'stop_loss_order' | 'take_profit_order' | 'balance' | 'funding' | 'protective_fill';

export interface Difference {
  readonly field: DifferenceField;
  readonly bot: string;
  readonly exchange: string;
  readonly explained: boolean;
  readonly note: string;
}

export type ReconciliationStatus = 'ok' | 'explained' | 'mismatch';

export interface ReconcileResult {
  readonly status: ReconciliationStatus;
  readonly differences: readonly Difference[];
  /** Funding to book on the bot's cash (explained). */
  readonly funding: number;
  /** The baseline after this check: moved on when the balances agree, kept while they do not. */
  readonly baseline: BalanceBaseline;
  /** Unexplained wallet change (exchange minus bot), which adopting books on the bot's cash. */
  readonly balanceGap: number;
}

export interface ReconcileTolerances {
  /** The instrument's quantity step: quantities closer than half of it are equal. */
  readonly qtyStep: number;
  /** Relative entry-price tolerance (default 1e-4). */
  readonly priceRelative?: number;
  /** Balance tolerance in the settlement asset (default 0.01, or 1e-6 of the wallet when larger). */
  readonly balanceAbsolute?: number;
}

const fmt = (n: number): string => String(Number(n.toFixed(8)));
const sideOf = (p: { side: Side; qty: number } | null): string => (p === null ? 'flat' : `${p.side} ${fmt(p.qty)}`);

function positionDifferences(view: BotAccountView, snapshot: AccountSnapshot, tol: ReconcileTolerances): Difference[] {
  const bot = view.trader.position;
  const ex = snapshot.position;
  if (bot === null && ex === null) return [];
  if (bot === null || ex === null || bot.side !== ex.side) {
    const note =
      bot === null
        ? 'a position the bot did not open'
        : ex === null
          ? 'the position was closed or liquidated outside the bot'
          : 'the position has the other side';
    return [{ field: 'position', bot: sideOf(bot), exchange: sideOf(ex), explained: false, note }];
  }
  const out: Difference[] = [];
  if (Math.abs(bot.qty - ex.qty) > tol.qtyStep / 2) {
    out.push({ field: 'quantity', bot: fmt(bot.qty), exchange: fmt(ex.qty), explained: false, note: 'the position size changed outside the bot' });
  }
  if (Math.abs(bot.entryPrice - ex.entryPrice) > (tol.priceRelative ?? 1e-4) * bot.entryPrice) {
    out.push({ field: 'entry_price', bot: fmt(bot.entryPrice), exchange: fmt(ex.entryPrice), explained: false, note: 'the entry price differs' });
  }
  return out;
}

function protectiveDifferences(view: BotAccountView, snapshot: AccountSnapshot): Difference[] {
  if (view.trader.position === null || view.protective === null || snapshot.protective === null) return [];
  const out: Difference[] = [];
  for (const [field, state, id, name] of [
    ['stop_loss_order', snapshot.protective.sl, view.protective.sl, 'stop-loss'],
    ['take_profit_order', snapshot.protective.tp, view.protective.tp, 'take-profit'],
  ] as const) {
    if (state === 'open' || state === 'filled') continue;
    out.push({
      field,
      bot: `open (${id})`,
      exchange: state,
      explained: false,
      note: `the ${name} order is no longer on the exchange: the position is unprotected`,
    });
  }
  return out;
}

/** Compares the bot's view with the exchange's snapshot. */
export function reconcile(view: BotAccountView, snapshot: AccountSnapshot, tol: ReconcileTolerances): ReconcileResult {
  const cash = view.trader.cash;
  const funding = snapshot.funding.amount;
  const fundingDiff: Difference[] =
    funding !== 0 ? [{ field: 'funding', bot: '0', exchange: fmt(funding), explained: true, note: 'funding booked by the exchange, applied to the bot' }] : [];
  const baselineNow = { wallet: snapshot.walletBalance, cash: cash + funding };
  // A protective order that filled after this bar's check: the next bar books it (explained), and until then the
  // position and the balance legitimately differ.
  const filled = view.trader.position !== null && snapshot.position === null && (snapshot.protective?.sl === 'filled' || snapshot.protective?.tp === 'filled');
  if (filled) {
    const which = snapshot.protective?.sl === 'filled' ? 'stop-loss' : 'take-profit';
    const diff: Difference = {
      field: 'protective_fill',
      bot: sideOf(view.trader.position),
      exchange: 'flat',
      explained: true,
      note: `the ${which} order filled; the bot books it at the next bar`,
    };
    return { status: 'explained', differences: [diff, ...fundingDiff], funding, baseline: view.baseline ?? baselineNow, balanceGap: 0 };
  }
  const unexplained = [...positionDifferences(view, snapshot, tol), ...protectiveDifferences(view, snapshot)];
  let balanceGap = 0;
  if (view.baseline !== null) {
    const expected = view.baseline.wallet + (cash + funding - view.baseline.cash);
    const gap = snapshot.walletBalance - expected;
    const tolerance = Math.max(tol.balanceAbsolute ?? 0.01, 1e-6 * Math.abs(snapshot.walletBalance));
    if (Math.abs(gap) > tolerance) {
      balanceGap = gap;
      unexplained.push({
        field: 'balance',
        bot: fmt(expected),
        exchange: fmt(snapshot.walletBalance),
        explained: false,
        note: `the wallet moved by ${fmt(gap)} more than the bot's fills and funding explain (a transfer or a trade outside the bot)`,
      });
    }
  }
  const differences = [...unexplained, ...fundingDiff];
  const status: ReconciliationStatus = unexplained.length > 0 ? 'mismatch' : differences.length > 0 ? 'explained' : 'ok';
  return { status, differences, funding, baseline: balanceGap !== 0 && view.baseline !== null ? view.baseline : baselineNow, balanceGap };
}

/** Books an amount on the wallet that is not a fill (funding, an adopted balance change); `rebase` also moves the kill switch's day reference. */
export function bookCash(state: TraderState, amount: number, rebase: boolean): TraderState {
  if (amount === 0) return state;
  return {
    ...state,
    cash: state.cash + amount,
    lastEquity: state.lastEquity + amount,
    dayOpenEquity: rebase ? state.dayOpenEquity + amount : state.dayOpenEquity,
  };
}

/** The exchange's position becomes the bot's (an operator's `adopt`); the entry fee is unknown to the bot, so 0. */
export function adoptPosition(state: TraderState, position: ExchangePositionView | null, entryTime: number): TraderState {
  return {
    ...state,
    pending: null,
    position:
      position === null ? null : { side: position.side, qty: position.qty, entryPrice: position.entryPrice, entryTime, entryFee: 0, modelVersion: 'adopted' },
  };
}
