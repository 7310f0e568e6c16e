/**
 * The live bot's reconciliation wiring: reads the exchange (activity), compares with the pure domain check
 * (domain/trading/reconcile.ts), books the outcome in the state module (trading-bot-state.ts), and records what it
 * found (reconciliation_events, the Reconciliation search attribute, the log). Also runs an operator's adopt.
 */
import { log, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTE_KEYS } from '../contracts/search-attributes';
import { TASK_QUEUES } from '../contracts/task-queues';
import type { BotInput } from '../contracts/bot';
import type { AccountSnapshot, Difference, StoredTradingParams } from '../domain/trading';
import { reconcile } from '../domain/trading';
import type { ExecutionActivities } from '../activities/execution-activities';
import { adopted, reconciled, reconciliationFailed, type BotState } from './trading-bot-state';
import { ORDER_ACTIVITY_OPTIONS } from './bot-execution';

export interface Reconciler {
  /** Compares the exchange with the bot; never throws (an unreadable exchange holds entries). */
  check(state: BotState): Promise<BotState>;
  /** Runs a pending adopt (or adopt-then-flatten); on failure the bot stays held and says why. */
  resolve(state: BotState): Promise<BotState>;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Raises the operator's alert: a new mismatch (or an unreadable exchange), or its resolution. */
export type ReconciliationAlert = (kind: 'mismatch' | 'resolved', barTime: number, detail: string) => void;

const HELD = ['unchecked', 'mismatch', 'unreadable'];

export function createReconciler(input: BotInput, workflowId: string, trading: StoredTradingParams, alert: ReconciliationAlert): Reconciler {
  // Reading is safe to retry, but a bar must not wait long on it: an unreadable exchange is itself an outcome.
  const { readAccount, recordReconciliation } = proxyActivities<ExecutionActivities>({
    taskQueue: TASK_QUEUES.trading,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '5 seconds', maximumAttempts: 3 },
  });
  // Adopting cancels and places orders.
  const { adoptAccount } = proxyActivities<ExecutionActivities>(ORDER_ACTIVITY_OPTIONS);

  const botSide = (state: BotState) => ({ position: state.trader.position, protective: state.protective, cash: state.trader.cash });
  const note = async (
    previous: string,
    state: BotState,
    kind: 'check' | 'adopt' | 'flatten',
    differences: readonly Difference[],
    snapshot: AccountSnapshot | null,
    bot: Record<string, unknown>,
  ) => {
    const status = state.reconciliation?.status ?? 'ok';
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.Reconciliation, value: status }]);
    const line = { kind, status, differences: differences.map((d) => `${d.field}: bot ${d.bot}, exchange ${d.exchange} (${d.note})`) };
    if (status === 'mismatch' || status === 'unreadable') {
      log.error('reconciliation: entries halted until an operator adopts or flattens', line);
      alert('mismatch', state.lastBarTime, [status, ...line.differences, state.reconciliation?.error ?? ''].filter((t) => t !== '').join('; '));
    } else {
      log.info('reconciliation', line);
      if (HELD.includes(previous) && previous !== 'unchecked') alert('resolved', state.lastBarTime, `${kind}: ${status}`);
    }
    try {
      await recordReconciliation({
        workflowId,
        symbol: input.symbol,
        mode: input.mode,
        barTime: state.lastBarTime,
        kind,
        status,
        differences,
        bot,
        exchange: snapshot,
      });
    } catch (err) {
      // The record is for the operator; trading must not stop on it.
      log.warn('reconciliation event not recorded', { error: message(err) });
    }
  };

  return {
    async check(state) {
      const r = state.reconciliation;
      if (r === null) return state;
      const bot = botSide(state);
      try {
        const reading = await readAccount({ symbol: input.symbol, exchange: input.exchange, protective: state.protective, fundingAfter: r.fundingThrough });
        const result = reconcile({ trader: state.trader, protective: state.protective, baseline: r.baseline }, reading.snapshot, { qtyStep: reading.qtyStep });
        const out = reconciled(state, result, reading.snapshot.funding.through);
        if (out.notable) await note(r.status, out.state, 'check', result.differences, reading.snapshot, bot);
        return out.state;
      } catch (err) {
        const out = reconciliationFailed(state, `the exchange could not be read: ${message(err)}`);
        if (out.notable) await note(r.status, out.state, 'check', [], null, { ...bot, error: out.state.reconciliation?.error ?? null });
        return out.state;
      }
    },

    async resolve(state) {
      const r = state.reconciliation;
      if (r === null || r.resolving === null) return state;
      const kind = r.resolving;
      try {
        const result = await adoptAccount({
          workflowId,
          symbol: input.symbol,
          exchange: input.exchange,
          barOpenTime: state.lastBarTime,
          attempt: r.adoptions + 1,
          protective: state.protective,
          protect: kind === 'adopt',
          trading,
          fundingAfter: r.fundingThrough,
        });
        const next = adopted(state, result);
        await note(r.status, next, kind, r.differences, result.snapshot, botSide(state));
        return next;
      } catch (err) {
        log.error(`${kind} failed: the bot stays halted`, { error: message(err) });
        return { ...state, reconciliation: { ...r, resolving: null, error: `${kind} failed: ${message(err)}` } };
      }
    },
  };
}
