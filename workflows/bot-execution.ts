/**
 * Where a bot's orders go: paper simulates them in the shared engine (an order decided at the close of bar t fills at
 * the open of bar t+1; stops and take-profits against the bar's high/low); live sends them to the exchange at the
 * close (activities) and reads the exchange's own stop-loss / take-profit fills. The bar step (domain/trading) sees
 * only the resulting BarFills and Execution.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import { TASK_QUEUES } from '../contracts/task-queues';
import type { BotInput, ProtectiveOrderIds } from '../contracts/bot';
import type { ExecutionActivities } from '../activities/execution-activities';
import type { Bar } from '../domain/bars';
import { SIMULATED, type BarFills, type Decision, type Execution, type StoredTradingParams } from '../domain/trading';
import type { BotState } from './trading-bot-state';

export interface Sent {
  readonly execution: Execution;
  /** The protective orders now on the exchange, when the order changed them. */
  readonly protective?: ProtectiveOrderIds | null;
  /** Why the order failed (refused by the exchange, or not sent), else null. */
  readonly error: string | null;
}

export interface BarExecution {
  /** The fills inside the bar: simulated (paper), or the exchange's stop-loss / take-profit fill (live). */
  fillsIn(state: BotState): Promise<BarFills>;
  /** Paper: the intent fills at the next bar's open (simulated). Live: the order is sent now, at the close. */
  execute(state: BotState, bar: Bar, decision: Decision): Promise<Sent>;
}

/**
 * Activities that place or cancel orders. Orders must never be sent twice by a retry storm: few attempts, spaced
 * wider than the exchange's recvWindow, so a lost answer is looked up (by client order id) after the original
 * request can no longer arrive.
 */
export const ORDER_ACTIVITY_OPTIONS = {
  taskQueue: TASK_QUEUES.trading,
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '7 seconds', backoffCoefficient: 1.5, maximumAttempts: 4 },
} as const;

export function createExecution(input: BotInput, workflowId: string, trading: StoredTradingParams): BarExecution {
  const { executeLiveIntent, checkProtectiveFill } = proxyActivities<ExecutionActivities>(ORDER_ACTIVITY_OPTIONS);
  return {
    async fillsIn(state) {
      if (input.mode !== 'live') return SIMULATED;
      const protective = state.protective;
      const exit = state.trader.position && protective ? await checkProtectiveFill({ symbol: input.symbol, exchange: input.exchange, protective }) : null;
      return { source: 'exchange', exit };
    },
    async execute(state, bar, decision) {
      if (input.mode !== 'live' || decision.intent === null) return { execution: SIMULATED, error: null };
      const position = decision.state.position;
      try {
        const fill = await executeLiveIntent({
          workflowId,
          symbol: input.symbol,
          exchange: input.exchange,
          decisionBarTime: bar.openTime,
          intent: decision.intent,
          position: position ? { side: position.side, qty: position.qty, protective: state.protective } : null,
          trading,
        });
        return { execution: { source: 'exchange', price: fill.price, qty: fill.qty, fee: fill.fee }, protective: fill.protective, error: null };
      } catch (err) {
        // A refused order (margin, minimum notional...) is dropped; the next bar decides again.
        const error = err instanceof Error ? err.message : String(err);
        log.error('order failed; intent dropped', { intent: decision.intent, error });
        return { execution: { source: 'refused', error }, error };
      }
    },
  };
}
