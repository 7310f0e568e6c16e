/**
 * Builds the Temporal workers of each task queue around shared dependencies. Entry points (one per queue, for
 * separate hosts) and the all-in-one commands (`npm run backtest`) both use this, so they run the same setup.
 */
import { availableParallelism } from 'node:os';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type postgres from 'postgres';
import { createAlertActivities } from '../activities/alert-activities';
import { createBacktestActivities } from '../activities/backtest-activities';
import { createBotActivities } from '../activities/bot-activities';
import { createRegistryActivities } from '../activities/registry-activities';
import { createRetrainActivities } from '../activities/retrain-activities';
import { createExecutionActivities } from '../activities/execution-activities';
import { createMonitoringActivities } from '../activities/monitoring-activities';
import { createMarketDataActivities } from '../activities/market-data-activities';
import { SharedStreamPool } from '../binance/shared-stream';
import { createTrainingActivities } from '../activities/training-activities';
import { createSweepActivities } from '../activities/sweep-activities';
import { createPortfolioBacktestActivities } from '../activities/portfolio-backtest-activities';
import type { AlertsConfig } from '../config/alerts-schema';
import { loadConfig } from '../config/load-config';
import type { Database } from '../db/client';
import { TASK_QUEUES } from '../contracts/task-queues';
import { TrainingPool } from '../model/lightgbm/lightgbm-pool';
import { cachedWorkflowBundle } from './workflow-bundle-cache';

export interface WorkerDeps {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly db: Database;
  /** The postgres.js client behind `db` (LISTEN/NOTIFY of new bars); when absent, drizzle's own client is used. */
  readonly sql?: postgres.Sql;
  /** Receives each bar's stored-to-decision-recorded latency (ms), for `npm run bench:live`. */
  readonly onBotLatency?: (ms: number) => void;
  /** A prebuilt bundle (tests build one and share it); otherwise workflows/index.ts is bundled. */
  readonly workflowBundle?: WorkflowBundle;
  /** Concurrent LightGBM trainings on this host (default: one per CPU, each single-threaded by config). */
  readonly trainingSlots?: number;
  /** Alert targets of the trading worker (tests pass their own); absent: `alerts` of loadConfig() (BOT_CONFIG or config/config.yaml). */
  readonly alerts?: AlertsConfig;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

let sharedBundle: Promise<WorkflowBundle> | undefined;

/** The workflow code, bundled once per version of the sources (webpack takes seconds; see workflow-bundle-cache.ts). */
export function workflowBundle(): Promise<WorkflowBundle> {
  sharedBundle ??= cachedWorkflowBundle(WORKFLOWS_PATH, quietBundlerLogger);
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
    // After a worker dies, its cached workflows move to another worker after this (default 10 s): a bot catches up fast.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    workflowBundle: deps.workflowBundle ?? (await workflowBundle()),
    activities: {
      ...createBacktestActivities({ db: deps.db }),
      ...createSweepActivities({ db: deps.db }),
      ...createPortfolioBacktestActivities({ db: deps.db }),
      ...createRegistryActivities({ db: deps.db }),
      ...createRetrainActivities({ db: deps.db }),
      ...createExecutionActivities({ db: deps.db }),
      ...createMonitoringActivities({ db: deps.db }),
      ...createBotActivities({ db: deps.db, sql: postgresClient(deps), ...(deps.onBotLatency ? { onLatency: deps.onBotLatency } : {}) }),
      // Reads the targets' secrets now: a missing variable stops the worker at start, naming it.
      ...createAlertActivities({ alerts: deps.alerts ?? loadConfig().alerts, db: deps.db }),
    },
  });
}

const ACTIVITIES_PER_THREAD = 3;

/**
 * The training queue's worker: `slots` LightGBM threads (default: one per CPU), each training one model at a time, so the
 * event loop stays free for heartbeats and polling. The pool's threads end with the worker.
 */
export async function createTrainingWorker(deps: WorkerDeps): Promise<Worker> {
  const slots = deps.trainingSlots ?? availableParallelism();
  const pool = new TrainingPool({ threads: slots });
  // More activities than threads: while one waits for the database or Temporal, another's model trains, so no
  // thread idles between trainings; the extra ones wait in the pool's queue (heartbeating).
  const worker = await Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: TASK_QUEUES.training,
    activities: { ...createTrainingActivities({ db: deps.db, pool }) },
    maxConcurrentActivityTaskExecutions: slots * ACTIVITIES_PER_THREAD,
  }).catch(async (err: unknown) => {
    await pool.close();
    throw err;
  });
  const run = worker.run.bind(worker);
  worker.run = () => run().finally(() => pool.close());
  return worker;
}

/** drizzle keeps its postgres.js client as `$client` (not part of the Database type). */
function postgresClient(deps: WorkerDeps): postgres.Sql {
  if (deps.sql !== undefined) return deps.sql;
  const client = (deps.db as Database & { $client?: postgres.Sql }).$client;
  if (client === undefined) throw new Error('Workers need the postgres.js client of the database (WorkerDeps.sql)');
  return client;
}

/**
 * Activities only (MarketDataWorkflow itself runs on the trading queue). Each stream holds an activity slot for
 * its whole session, hence the generous slot count; heartbeats reach the server at least every 2 s, so a stop
 * signal's cancellation is delivered to the stream within that.
 */
export async function createMarketDataWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: TASK_QUEUES.marketData,
    activities: { ...createMarketDataActivities({ db: deps.db, sql: postgresClient(deps), streams: new SharedStreamPool() }) },
    maxConcurrentActivityTaskExecutions: 100,
    maxHeartbeatThrottleInterval: '2 seconds',
  });
}
