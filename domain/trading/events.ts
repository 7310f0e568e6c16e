/** What the engine reports besides fills: for logs, the live bot's records and tests. */
import type { OrderIntent, Side } from './state';

export type EngineEvent =
  /** A bar of a new UTC day was decided; `openingEquity` is the kill switch's reference for that day. */
  | { readonly type: 'day_started'; readonly time: number; readonly day: number; readonly openingEquity: number }
  /** A kill-switch halt ended because a new UTC day began. */
  | { readonly type: 'halt_expired'; readonly time: number; readonly day: number }
  | {
      readonly type: 'kill_switch';
      readonly time: number;
      readonly equity: number;
      readonly dayOpenEquity: number;
      /** Fall from the day's opening equity, as a fraction. */
      readonly drawdown: number;
    }
  /**
   * The prediction called for an entry that the rules refused; `stop_beyond_liquidation`: at this notional's leverage
   * bracket the stop-loss would lie at or beyond the liquidation price.
   */
  | {
      readonly type: 'entry_skipped';
      readonly time: number;
      readonly side: Side;
      readonly reason: 'paused' | 'halted' | 'cooldown' | 'no_equity' | 'stop_beyond_liquidation';
    }
  /** A pending intent was discarded at its fill opportunity instead of filling. */
  | {
      readonly type: 'intent_dropped';
      readonly time: number;
      readonly intent: OrderIntent;
      readonly reason: 'cooldown' | 'no_position' | 'position_open' | 'no_equity' | 'stop_beyond_liquidation';
    }
  /** The open position paid (amount > 0) or received (amount < 0) funding at the open of the bar opening at `time`. */
  | { readonly type: 'funding'; readonly time: number; readonly rate: number; readonly markPrice: number; readonly amount: number };
