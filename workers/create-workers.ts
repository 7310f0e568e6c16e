/**
 * Builds the Temporal workers of each task queue around shared dependencies. Entry points (one per queue, for
 * separate hosts) and the all-in-one commands (`npm run backtest`) both use this, so they run the same setup.
 */
import { availableParallelism } from 'node:os';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createBacktestActivities } from '../activities/backtest-activities';
import { createTrainingActivities } from '../activities/training-activities';
import type { Database } from '../db/client';
import { TASK_QUEUES } from '../domain/task-queues';

export interface WorkerDeps {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly db: Database;
  /** A prebuilt bundle (tests build one and share it); otherwise workflows/index.ts is bundled. */
  readonly workflowBundle?: WorkflowBundle;
  /** Concurrent LightGBM trainings on this host (default: one per CPU, each single-threaded by config). */
  readonly trainingSlots?: number;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

let sharedBundle: Promise<WorkflowBundle> | undefined;

/** Bundles the workflow code once per process (webpack takes a few seconds). */
export function workflowBundle(): Promise<WorkflowBundle> {
  sharedBundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  return sharedBundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

export async function createTradingWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: TASK_QUEUES.trading,
    workflowBundle: deps.workflowBundle ?? (await workflowBundle()),
    activities: { ...createBacktestActivities({ db: deps.db }) },
  });
}

export async function createTrainingWorker(deps: WorkerDeps): Promise<Worker> {
  const slots = deps.trainingSlots ?? availableParallelism();
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: TASK_QUEUES.training,
    activities: { ...createTrainingActivities({ db: deps.db }) },
    maxConcurrentActivityTaskExecutions: slots,
  });
}
