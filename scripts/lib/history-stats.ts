/** Size of the workflow histories of a backtest run (parent and children), as Temporal stores them. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface HistoryStats {
  readonly workflowId: string;
  readonly events: number;
  /** Encoded size of the whole history. */
  readonly bytes: number;
  /** Encoded size of the largest event: an upper bound of the largest payload. */
  readonly largestEventBytes: number;
}

export async function historyStats(client: Client, parentWorkflowId: string): Promise<HistoryStats[]> {
  const ids = [parentWorkflowId];
  for await (const wf of client.workflow.list({ query: `WorkflowKind = "backtest-training"` })) {
    if (wf.workflowId.startsWith(`${parentWorkflowId}-train-`)) ids.push(wf.workflowId);
  }
  const out: HistoryStats[] = [];
  for (const workflowId of ids) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    let largest = 0;
    for (const e of events) largest = Math.max(largest, temporal.api.history.v1.HistoryEvent.encode(e).finish().length);
    out.push({ workflowId, events: events.length, bytes: temporal.api.history.v1.History.encode(history).finish().length, largestEventBytes: largest });
  }
  return out;
}
