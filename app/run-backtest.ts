/** Starts BacktestWorkflow, and follows a run's progress until it ends. */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { TASK_QUEUES } from '../contracts/task-queues';
import type { BacktestProgress, BacktestSummary } from '../contracts/backtest';
import type { PreparedBacktest } from './backtest-request';
import { BacktestWorkflow } from '../workflows/backtest-workflow';

/** Starts the run without waiting for it; a workflow of the same id that is still running is refused by Temporal. */
export async function startBacktest(client: Client, prepared: PreparedBacktest): Promise<WorkflowHandle<typeof BacktestWorkflow>> {
  return client.workflow.start(BacktestWorkflow, {
    args: [prepared.request],
    taskQueue: TASK_QUEUES.trading,
    workflowId: prepared.workflowId,
  });
}

/** Waits for the run's result, reporting its progress query every `pollMs`. */
export async function followBacktest(handle: WorkflowHandle, onProgress?: (progress: BacktestProgress) => void, pollMs = 250): Promise<BacktestSummary> {
  let polling = true;
  const poller = (async () => {
    while (polling && onProgress) {
      try {
        onProgress(await handle.query<BacktestProgress>('progress'));
      } catch (err) {
        // Not started yet, finished between two polls, or no worker at the moment: the result says which.
        if (err instanceof WorkflowNotFoundError) return;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  try {
    return (await handle.result()) as BacktestSummary;
  } finally {
    polling = false;
    await poller;
  }
}

/** Starts a run and follows it to its end. */
export async function runBacktest(
  client: Client,
  prepared: PreparedBacktest,
  onProgress?: (progress: BacktestProgress) => void,
  pollMs = 250,
): Promise<BacktestSummary> {
  return followBacktest(await startBacktest(client, prepared), onProgress, pollMs);
}
