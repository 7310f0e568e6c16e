/** Starts SweepWorkflow and follows its progress; the sweep's files for show / config. */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../config/project-root';
import { TASK_QUEUES } from '../contracts/task-queues';
import { sweepWorkflowId, type SweepProgress, type SweepRequest, type SweepSummary } from '../contracts/sweep';
import { SweepWorkflow } from '../workflows/sweep-workflow';

export async function startSweep(client: Client, request: SweepRequest): Promise<WorkflowHandle<typeof SweepWorkflow>> {
  return client.workflow.start(SweepWorkflow, { args: [request], taskQueue: TASK_QUEUES.trading, workflowId: sweepWorkflowId(request.sweepId) });
}

export async function followSweep(handle: WorkflowHandle, onProgress?: (p: SweepProgress) => void, pollMs = 500): Promise<SweepSummary> {
  let polling = true;
  const poller = (async () => {
    while (polling && onProgress) {
      try {
        onProgress(await handle.query<SweepProgress>('sweepProgress'));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  try {
    return (await handle.result()) as SweepSummary;
  } finally {
    polling = false;
    await poller;
  }
}

export function progressText(p: SweepProgress): string {
  const eta = p.etaMs === null ? '?' : `${Math.round(p.etaMs / 1000)} s`;
  return `${p.phase}: combinations ${p.combosDone}/${p.combosTotal}, groups ${p.groupsDone}/${p.groupsTotal}, elapsed ${Math.round(p.elapsedMs / 1000)} s, ETA ${eta}`;
}

export function sweepDir(sweepId: string): string {
  return resolve(projectRoot(), 'sweeps', sweepId);
}

// summary.json is read back from disk: checked, since a user may have edited or truncated it.
const metricsSchema = z.record(z.string(), z.number().nullable());
const summaryFileSchema = z.object({
  sweep_id: z.string(),
  select_on: z.string(),
  backtest: z.object({ train_hours: z.number(), test_hours: z.number(), retrain_minutes: z.number() }),
  ranking: z.array(
    z.object({
      rank: z.number(),
      index: z.number(),
      values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
      whole: metricsSchema,
      in_sample: metricsSchema,
      held_out: metricsSchema,
    }),
  ),
});
export type SweepSummaryFile = z.infer<typeof summaryFileSchema>;

export function readSweepSummary(dir: string): SweepSummaryFile {
  const file = join(dir, 'summary.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read ${file}: ${(err as Error).message} (is the sweep finished?)`);
  }
  return summaryFileSchema.parse(raw);
}
