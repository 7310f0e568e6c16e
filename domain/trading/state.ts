/**
 * The trader's state: plain, JSON-serialisable data (no classes, no Dates, no NaN/Infinity), so the live bot can
 * carry it through a Temporal workflow and continue-as-new, and a backtest can be stopped and resumed exactly.
 */
import { utcDay } from '../bars';
import { assertTradingParams, type TradingParams } from './params';

export const SIDES = ['LONG', 'SHORT'] as const;
export type Side = (typeof SIDES)[number];

export const EXIT_REASONS = ['signal', 'stop_loss', 'take_profit', 'liquidation', 'kill_switch', 'flatten', 'end_of_test'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];
/** Exits made by the protective orders (simulated on the bar's range, or filled by the exchange). */
export type ProtectiveExitReason = Extract<ExitReason, 'stop_loss' | 'take_profit'>;

/** Exits that are decided (and then filled); stop-loss and take-profit are triggered by prices instead. */
export type CloseReason = Extract<ExitReason, 'signal' | 'kill_switch' | 'flatten' | 'end_of_test'>;

/** An order decided at a bar close (or by an operator) that fills at the next fill opportunity. */
export type OrderIntent =
  { readonly type: 'OPEN_LONG' | 'OPEN_SHORT'; readonly modelVersion: string } | { readonly type: 'CLOSE'; readonly reason: CloseReason };

export interface Position {
  readonly side: Side;
  readonly qty: number;
  /** Fill price of the entry, slippage included: stop-loss and take-profit are measured from it. */
  readonly entryPrice: number;
  /** Open time of the bar in which the entry filled (Unix ms). */
  readonly entryTime: number;
  readonly entryFee: number;
  /** The model that decided the entry; a model swap never changes it. */
  readonly modelVersion: string;
  /**
   * Funding paid so far (positive = paid, negative = received). The fields below are optional because states
   * stored before funding and margin existed lack them: read a missing `funding` as 0 and a missing
   * `liquidationPrice` as none.
   */
  readonly funding?: number;
  /** Isolated margin set aside at the entry (notional / leverage), fixed for the position's life. */
  readonly margin?: number;
  /** A bar opening at or beyond it liquidates the position; null when none is modelled (no brackets, or none above 0). */
  readonly liquidationPrice?: number | null;
}

/** One round trip, as written to trades.csv. */
export interface Trade {
  readonly side: Side;
  readonly entryTime: number;
  readonly entryPrice: number;
  /** Open time of the bar in which the exit filled. */
  readonly exitTime: number;
  readonly exitPrice: number;
  readonly qty: number;
  /** Fees of both fills. */
  readonly fees: number;
  /** Funding paid over the trade's life (positive = paid, negative = received). */
  readonly funding: number;
  /** Price PnL minus both fees minus funding. */
  readonly netPnl: number;
  readonly exitReason: ExitReason;
  readonly modelVersion: string;
}

export interface TraderCounters {
  /** Bar closes processed by decide() or finish(). */
  readonly bars: number;
  readonly trades: number;
  /** Trades with netPnl > 0. */
  readonly wins: number;
  /** All fees paid, including the entry fee of a position still open. */
  readonly feesPaid: number;
}

export interface TraderState {
  /** Wallet balance: starting capital + realised price PnL - every fee paid - funding paid. */
  readonly cash: number;
  readonly position: Position | null;
  readonly pending: OrderIntent | null;
  /** Exit time of the last closed position (cooldown reference), null before the first exit. */
  readonly lastExitTime: number | null;
  /** UTC day index of the last decided bar (the kill switch's day). */
  readonly day: number;
  /** Equity at the close of the previous UTC day's last bar; starting capital on the first day. */
  readonly dayOpenEquity: number;
  /** Kill switch fired: no entries until the next UTC day or an operator's resume. */
  readonly halted: boolean;
  readonly haltedDay: number | null;
  /** Operator pause: no entries; stops, take-profits, signal exits and the kill switch still act. */
  readonly paused: boolean;
  /** Equity recorded at the last bar close (cash + open position marked at the close). */
  readonly lastEquity: number;
  /** Open time of the last bar decided; decisions must move forward in time. */
  readonly lastBarTime: number | null;
  readonly counters: TraderCounters;
}

/** The state before the first bar: all cash, flat, not paused, the kill switch armed on startTime's UTC day. */
export function initialState(params: TradingParams, startTime: number): TraderState {
  assertTradingParams(params);
  if (!Number.isFinite(startTime)) throw new Error(`initialState: startTime must be Unix ms, got ${startTime}`);
  return {
    cash: params.startingCapital,
    position: null,
    pending: null,
    lastExitTime: null,
    day: utcDay(startTime),
    dayOpenEquity: params.startingCapital,
    halted: false,
    haltedDay: null,
    paused: false,
    lastEquity: params.startingCapital,
    lastBarTime: null,
    counters: { bars: 0, trades: 0, wins: 0, feesPaid: 0 },
  };
}
