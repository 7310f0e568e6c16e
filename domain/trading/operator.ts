/** Operator commands (docs/strategy.md): pure state changes the live bot applies when it receives a signal. */
import type { TraderState } from './state';

/** No new entries (a pending entry is cancelled); open positions keep their stop-loss, take-profit and signal exits. */
export function pause(state: TraderState): TraderState {
  return { ...state, paused: true, pending: state.pending?.type === 'CLOSE' ? state.pending : null };
}

/**
 * Lifts a pause and an active kill-switch halt. Clearing a halt re-bases the day's opening equity to the last
 * recorded equity: otherwise the drawdown that fired the switch would fire it again at the next close.
 */
export function resume(state: TraderState): TraderState {
  if (!state.halted) return { ...state, paused: false };
  return { ...state, paused: false, halted: false, haltedDay: null, dayOpenEquity: state.lastEquity };
}

/**
 * Close now: a pending CLOSE (reason flatten) for an open position, or cancel a pending entry when flat. It does not
 * pause; the next decisions may enter again.
 */
export function flatten(state: TraderState): TraderState {
  if (state.position === null) return { ...state, pending: null };
  return { ...state, pending: { type: 'CLOSE', reason: 'flatten' } };
}

/** Forget the pending intent, e.g. when the exchange refused the order (below its minimum notional). */
export function clearIntent(state: TraderState): TraderState {
  return { ...state, pending: null };
}
