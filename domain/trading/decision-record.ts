/**
 * What the bot records for every bar: the action decided at its close and why, as closed sets (the
 * `decisions` table stores them as text; details such as lateness sit in their own columns).
 */
import type { CloseReason, OrderIntent } from './state';

export type DecisionAction = 'hold' | 'open_long' | 'open_short' | `close_${CloseReason}`;

export const DECISION_REASONS = [
  'model',
  'no_prediction',
  'paused',
  'halted',
  'kill_switch',
  'stale_bar',
  'order_failed',
  'unreconciled',
  // The portfolio refused the entry (docs/portfolio.md), or did not answer in time.
  'portfolio_halted',
  'max_positions',
  'max_exposure',
  'portfolio_unavailable',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/** The intent standing after a bar's close, as its action name (hold when none). */
export function decisionAction(intent: OrderIntent | null): DecisionAction {
  if (intent === null) return 'hold';
  if (intent.type === 'CLOSE') return `close_${intent.reason}`;
  return intent.type === 'OPEN_LONG' ? 'open_long' : 'open_short';
}

export interface ReasonInput {
  /** The portfolio refused this bar's entry: no order was sent. */
  readonly portfolioRefusal?: 'portfolio_halted' | 'max_positions' | 'max_exposure' | 'portfolio_unavailable' | null;
  readonly orderFailed: boolean;
  /** Live mode: the exchange disagrees with the bot (or cannot be read), so no entries or signal exits. */
  readonly unreconciled?: boolean;
  /** The bar was handed over late (newer bars already stored): no entries on it. */
  readonly stale: boolean;
  /** The kill switch fired at this close. */
  readonly killSwitchFired: boolean;
  readonly paused: boolean;
  readonly halted: boolean;
  readonly hasPrediction: boolean;
}

/** Why the bot did what it did at a close, the first that applies in this order. */
export function decisionReason(r: ReasonInput): DecisionReason {
  if (r.portfolioRefusal != null) return r.portfolioRefusal;
  if (r.orderFailed) return 'order_failed';
  if (r.unreconciled === true) return 'unreconciled';
  if (r.stale) return 'stale_bar';
  if (r.killSwitchFired) return 'kill_switch';
  if (r.paused) return 'paused';
  if (r.halted) return 'halted';
  return r.hasPrediction ? 'model' : 'no_prediction';
}
