/** Starts BacktestWorkflow and follows its progress until it completes. */
import type { Client } from '@temporalio/client';
import { TASK_QUEUES } from '../domain/task-queues';
import type { BacktestProgress, BacktestSummary } from '../workflows/backtest-types';
import type { PreparedBacktest } from './backtest-request';

export async function runBacktest(
  client: Client,
  prepared: PreparedBacktest,
  onProgress?: (progress: BacktestProgress) => void,
  pollMs = 250,
): Promise<BacktestSummary> {
  const handle = await client.workflow.start('BacktestWorkflow', {
    args: [prepared.request],
    taskQueue: TASK_QUEUES.trading,
    workflowId: prepared.workflowId,
  });
  let polling = true;
  const poller = (async () => {
    while (polling && onProgress) {
      try {
        onProgress(await handle.query<BacktestProgress>('progress'));
      } catch {
        // Not started yet, or finished between two polls.
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
