/**
 * ScheduledRetrainWorkflow: what the retrain Schedule starts. A Schedule appends the action's time to the
 * workflow id it starts (`retrain-BTCUSDT-2023-03-03T12:00:00Z`), so the scheduled run could not hold the
 * per-symbol id `retrain-<SYMBOL>` that keeps retrains of a symbol from overlapping with the bot's drift and
 * performance triggers. This launcher starts RetrainWorkflow as a child under exactly that id and waits for it.
 * When a retrain of the symbol is already running (a drift or performance trigger's, or a forced launch's) it waits
 * for that one to end, polling once a bar, and then retrains, so such a retrain does not swallow the schedule's tick;
 * it gives up (reporting so) only after the longest a retrain with its shadow may last.
 * The schedule's overlap policy (BUFFER_ONE, app/retrain-schedule.ts) sees the launcher running for as long as it
 * waits and its retrain runs.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, executeChild, log, patched, sleep } from '@temporalio/workflow';
import { BAR_MS } from '../domain/bars';
import { TASK_QUEUES } from '../contracts/task-queues';
import { retrainWorkflowId, type RetrainInput, type ScheduledRetrainResult } from '../contracts/retrain';
import { RetrainWorkflow, SHADOW_GRACE_BARS } from './retrain-workflow';

/** Polls for the running retrain's end at most this often, whatever the acceleration. */
const MIN_POLL_MS = 250;

export async function ScheduledRetrainWorkflow(input: RetrainInput): Promise<ScheduledRetrainResult> {
  const workflowId = retrainWorkflowId(input.symbol);
  const barMs = input.barMs ?? BAR_MS;
  // Launchers recorded before the wait ended at once when the symbol was busy.
  const waits = patched('scheduled-retrain-waits-for-a-running-one');
  const deadline = Date.now() + (input.shadowBars + input.horizon + SHADOW_GRACE_BARS + 2) * barMs;
  for (;;) {
    try {
      const result = await executeChild(RetrainWorkflow, {
        workflowId,
        taskQueue: TASK_QUEUES.trading,
        args: [input],
        // Cancelling or terminating the launcher cancels the retrain, which then cleans up (no model left in shadow).
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      return { started: true, result };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (!waits || Date.now() >= deadline) {
        const note = waits
          ? `a retrain of ${input.symbol} (${workflowId}) ran longer than a retrain with its shadow may: this scheduled one is skipped`
          : `a retrain of ${input.symbol} is already running (${workflowId}): this scheduled one is skipped`;
        log.info(note);
        return { started: false, note };
      }
      await sleep(Math.max(MIN_POLL_MS, barMs));
    }
  }
}
