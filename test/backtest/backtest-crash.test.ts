/**
 * A backtest survives kill -9 of the process that trains and of the process that runs the workflows: both run
 * as child processes (test/bot/fixtures/trading-worker-process.ts), SIGKILLed mid-run and started again, while
 * this process hosts Temporal and PostgreSQL. The run must end with exactly the trades and equity of an
 * uninterrupted run, and the models registered before the kill must not be trained again.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildBacktestRequest, type PreparedBacktest } from '../../app/backtest-request';
import { installQuietRuntime } from '../../app/local-runtime';
import { followBacktest, startBacktest } from '../../app/run-backtest';
import { loadConfig } from '../../config/load-config';
import type { BotConfig } from '../../config/schema';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { listSegments } from '../../db/repositories/backtest-results';
import { ensurePostgres, ensureTemporal, type PostgresHandle, type TemporalHandle } from '../../infra';
import { workflowBundle } from '../../workers/create-workers';
import type { BacktestProgress } from '../../contracts/backtest';
import { startWorkerProcess, type WorkerProcess, type WorkerProcessEnv } from '../bot/fixtures/worker-process';
import { freePorts } from '../helpers/free-ports';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(300_000);

let dataDir: string;
let temporal: TemporalHandle;
let postgres: PostgresHandle;
let database: DatabaseHandle;
let connection: Connection;
let client: Client;
let env: Omit<WorkerProcessEnv, 'WORKER_QUEUES'>;
const processes: WorkerProcess[] = [];

// The shipped LightGBM settings (early stopping, up to 1000 trees) make each training take tens of ms: the kills
// land mid-run. Lower thresholds than the defaults give trades to compare.
const shipped = loadConfig();
const config: BotConfig = { ...shipped, trading: { ...shipped.trading, entry_threshold_bps: 1, exit_threshold_bps: 0.5 } };

beforeAll(async () => {
  installQuietRuntime();
  dataDir = mkdtempSync(join(tmpdir(), 'lgbm-bt-crash-'));
  chmodSync(dataDir, 0o755); // the embedded server runs as the postgres OS user when tests run as root
  const [temporalPort, uiPort, pgPort] = (await freePorts(3)) as [number, number, number];
  const quiet = { env: {}, log: () => undefined };
  const [t, p, bundle] = await Promise.all([
    ensureTemporal({ port: temporalPort, uiPort, dataDir, ...quiet }),
    ensurePostgres({ port: pgPort, dataDir, ...quiet }),
    workflowBundle(),
  ]);
  [temporal, postgres] = [t, p];
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  await migrateDatabase(postgres.url);
  database = openDatabase(postgres.url, { max: 4 });
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection, namespace: temporal.namespace });
  env = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, DATABASE_URL: postgres.url, WORKFLOW_BUNDLE: bundlePath };
});

afterAll(async () => {
  for (const p of processes) await p.kill();
  await connection?.close();
  await database?.close();
  await temporal?.stop();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(queue: 'trading' | 'training'): Promise<WorkerProcess> {
  const p = await startWorkerProcess({ ...env, WORKER_QUEUES: queue });
  processes.push(p);
  return p;
}

function prepare(runId: string): Promise<PreparedBacktest> {
  return buildBacktestRequest(config, { runId, testHours: 24, retrainMinutes: 15, out: join(dataDir, 'backtests', runId) });
}

const progressOf = (prepared: PreparedBacktest) =>
  client.workflow
    .getHandle(prepared.workflowId)
    .query<BacktestProgress>('progress')
    .catch(() => undefined);
const registered = async () =>
  new Set((await database.sql<{ version: string }[]>`select version from models where purpose = 'backtest'`).map((r) => r.version));

test('kill -9 of the training process and of the workflow process mid-run: same trades, finished models not retrained', async () => {
  const trading = await start('trading');
  let training = await start('training');

  const reference = await prepare('crash-reference');
  await followBacktest(await startBacktest(client, reference));
  await database.sql`delete from models where purpose = 'backtest'`;

  const run = await prepare('crash-run');
  const done = followBacktest(await startBacktest(client, run));
  done.catch(() => undefined);
  await waitFor('20 models of the run', async () => (((await progressOf(run))?.modelsTrained ?? 0) >= 20 ? true : undefined), 120_000, 50);
  await training.kill();
  const modelsAtKill = await registered();
  const segmentsAtKill = new Set((await listSegments(database.db, 'crash-run')).map((s) => s.modelVersion));
  expect(modelsAtKill.size).toBeGreaterThanOrEqual(20);
  training = await start('training');

  await waitFor('60 models of the run', async () => (((await progressOf(run))?.modelsTrained ?? 0) >= 60 ? true : undefined), 180_000, 50);
  await trading.kill();
  await start('trading');
  await done;

  const read = (p: PreparedBacktest, f: string) => readFileSync(join(p.request.outDir, f), 'utf8');
  expect(read(run, 'trades.csv')).toBe(read(reference, 'trades.csv'));
  expect(read(run, 'equity.csv')).toBe(read(reference, 'equity.csv'));
  expect(read(run, 'trades.csv').trim().split('\n').length - 1).toBeGreaterThanOrEqual(3); // trades to compare

  // A model registered before the kill whose segment was not yet recorded was found in the registry on retry.
  const segments = await listSegments(database.db, 'crash-run');
  expect(segments).toHaveLength(96);
  for (const s of segments) if (modelsAtKill.has(s.modelVersion) && !segmentsAtKill.has(s.modelVersion)) expect(s.reused).toBe(true);
  const summary = JSON.parse(read(run, 'summary.json')) as { timings: { models_trained: number; models_reused: number } };
  expect(summary.timings.models_trained + summary.timings.models_reused).toBe(96);
  expect(summary.timings.models_trained).toBe(96 - segments.filter((s) => s.reused).length);
});
