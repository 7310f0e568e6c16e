/**
 * ScheduledRetrainWorkflow: what the retrain Schedule starts. A Schedule appends the action's time to the
 * workflow id it starts (`retrain-BTCUSDT-2023-03-03T12:00:00Z`), so the scheduled run could not hold the
 * per-symbol id `retrain-<SYMBOL>` that keeps retrains of a symbol from overlapping with the bot's drift and
 * performance triggers. This launcher starts RetrainWorkflow as a child under exactly that id and waits for it;
 * when a retrain of the symbol is already running (whoever started it) it ends at once, reporting that.
 * The schedule's overlap policy (BUFFER_ONE, app/retrain-schedule.ts) sees the launcher running for as long as its
 * retrain runs.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, executeChild, log } from '@temporalio/workflow';
import { TASK_QUEUES } from '../contracts/task-queues';
import { retrainWorkflowId, type RetrainInput, type ScheduledRetrainResult } from '../contracts/retrain';
import { RetrainWorkflow } from './retrain-workflow';

export async function ScheduledRetrainWorkflow(input: RetrainInput): Promise<ScheduledRetrainResult> {
  const workflowId = retrainWorkflowId(input.symbol);
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
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const note = `a retrain of ${input.symbol} is already running (${workflowId}): this scheduled one is skipped`;
      log.info(note);
      return { started: false, note };
    }
    throw err;
  }
}
