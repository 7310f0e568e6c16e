/**
 * Operations on backtest runs for the CLI: find, list, cancel, delete, and the refusal of a run id that exists.
 * A run is known by its row in `backtest_runs` (written when the workflow registers it) and by its workflow
 * (search attribute BacktestRun), which exists before the row and outlives a failed registration.
 */
import { rm } from 'node:fs/promises';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { Database } from '../db/client';
import { deleteRun, getRun, listRuns } from '../db/repositories/backtests';
import type { BacktestRunRow } from '../db/schema';

export class BacktestRunError extends Error {
  override name = 'BacktestRunError';
}

export interface RunListing {
  readonly runId: string;
  readonly symbol: string;
  /** The row's status, or the workflow's while no row exists yet. */
  readonly status: string;
  readonly startedAt: number | null;
  readonly workflowId: string | null;
  /** Whether the workflow is running (a row may still say 'running' for a workflow that was terminated). */
  readonly workflowRunning: boolean;
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

async function workflows(client: Client, query: string, limit = 200): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query })) {
    out.push(wf);
    if (out.length >= limit) break;
  }
  return out;
}

/** Backtest workflows that are running now (parents only). */
export async function runningBacktests(client: Client): Promise<WorkflowExecutionInfo[]> {
  return workflows(client, `WorkflowKind = "backtest" AND ExecutionStatus = "Running"`);
}

/** The workflow id of a run: from its row, else from Temporal's visibility. */
export async function workflowIdOf(client: Client, db: Database, runId: string): Promise<string | null> {
  const row = await getRun(db, runId);
  if (row?.workflowId) return row.workflowId;
  const [wf] = await workflows(client, `WorkflowKind = "backtest" AND BacktestRun = ${quoted(runId)}`, 1);
  return wf?.workflowId ?? null;
}

async function isRunning(client: Client, workflowId: string | null): Promise<boolean> {
  if (workflowId === null) return false;
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

export async function listBacktests(client: Client, db: Database, limit = 50): Promise<RunListing[]> {
  const rows = await listRuns(db, limit);
  const running = await runningBacktests(client);
  const runningIds = new Set(running.map((w) => w.workflowId));
  const listed: RunListing[] = rows.map((r: BacktestRunRow) => ({
    runId: r.runId,
    symbol: r.symbol,
    status: r.status,
    startedAt: r.startedAt,
    workflowId: r.workflowId,
    workflowRunning: r.workflowId !== null && runningIds.has(r.workflowId),
  }));
  // Runs whose workflow has not registered its row yet.
  const known = new Set(rows.map((r) => r.workflowId));
  for (const w of running) {
    if (known.has(w.workflowId)) continue;
    const runId = w.workflowId.replace(/^backtest-[A-Z0-9]+-/, '');
    listed.push({ runId, symbol: '', status: 'starting', startedAt: w.startTime.getTime(), workflowId: w.workflowId, workflowRunning: true });
  }
  return listed;
}

/** Refuses a run id in use: by a row, or by a workflow of that id (running or closed). */
export async function assertRunIdFree(client: Client, db: Database, runId: string, workflowId: string): Promise<void> {
  const row = await getRun(db, runId);
  if (row) throw new BacktestRunError(`Backtest run ${runId} already exists (status ${row.status}); choose another --run-id, or --force to replace it`);
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    throw new BacktestRunError(
      `Backtest workflow ${workflowId} already exists (${d.status.name.toLowerCase()}); choose another --run-id, or --force to replace it`,
    );
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/** Asks the run to cancel and waits until its workflow has ended; its row then says cancelled. */
export async function cancelBacktestRun(client: Client, db: Database, runId: string): Promise<void> {
  const workflowId = await workflowIdOf(client, db, runId);
  if (workflowId === null) throw new BacktestRunError(`No backtest run ${runId}`);
  if (!(await isRunning(client, workflowId)))
    throw new BacktestRunError(`Backtest run ${runId} is not running (status ${(await getRun(db, runId))?.status ?? 'unknown'})`);
  const handle = client.workflow.getHandle(workflowId);
  await handle.cancel();
  await handle.result().catch(() => undefined);
}

/** Removes a finished run's rows and result folder; a running run must be cancelled first. */
export async function deleteBacktestRun(client: Client, db: Database, runId: string): Promise<{ outDir: string | null }> {
  const row = await getRun(db, runId);
  const workflowId = row?.workflowId ?? (await workflowIdOf(client, db, runId));
  if (!row && workflowId === null) throw new BacktestRunError(`No backtest run ${runId}`);
  if (await isRunning(client, workflowId))
    throw new BacktestRunError(`Backtest run ${runId} is running: cancel it first (npm run backtest -- cancel ${runId})`);
  if (row?.outDir) await rm(row.outDir, { recursive: true, force: true });
  await deleteRun(db, runId);
  return { outDir: row?.outDir ?? null };
}
