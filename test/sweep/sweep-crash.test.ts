/**
 * A sweep survives kill -9 of the process running its workflows: trading and training workers run as child
 * processes (test/bot/fixtures/worker-process.ts); the trading one is SIGKILLed once the first model group's results
 * are written and started again. The sweep must finish with every combination, the finished group's results file
 * untouched (not simulated again) and no model trained twice.
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { installQuietRuntime } from '../../app/local-runtime';
import { buildSweepRequest } from '../../app/sweep-plan';
import { followSweep, startSweep } from '../../app/sweep-run';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { getSweep, listSweepResults } from '../../db/repositories/sweeps';
import { gridCombinations, parseGrid } from '../../domain/sweep/grid';
import { ensurePostgres, ensureTemporal, type PostgresHandle, type TemporalHandle } from '../../infra';
import { workflowBundle } from '../../workers/create-workers';
import { livelyConfig } from '../backtest/fixtures/lively-config';
import { startWorkerProcess, type WorkerProcess, type WorkerProcessEnv } from '../bot/fixtures/worker-process';
import { freePorts } from '../helpers/free-ports';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(240_000);

let dataDir: string;
let temporal: TemporalHandle;
let postgres: PostgresHandle;
let database: DatabaseHandle;
let connection: Connection;
let client: Client;
let env: Omit<WorkerProcessEnv, 'WORKER_QUEUES'>;
const processes: WorkerProcess[] = [];

beforeAll(async () => {
  installQuietRuntime();
  dataDir = mkdtempSync(join(tmpdir(), 'lgbm-sweep-crash-'));
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

test('kill -9 of the workflow process mid-sweep: every combination, the finished group not recomputed, no model trained twice', async () => {
  const trading = await start('trading');
  await start('training');
  const axes = parseGrid(['training.lightgbm.num_leaves=16,64', 'trading.entry_threshold_bps=1,2', 'trading.exit_threshold_bps=0.5']);
  const outDir = join(dataDir, 'sweeps', 'crash');
  const request = await buildSweepRequest(livelyConfig(), {
    sweepId: 'crash',
    axes,
    combinations: gridCombinations(axes),
    search: 'grid',
    selectOn: 'sharpe',
    holdoutFraction: 0.3,
    maxParallel: 1,
    backtest: { testHours: 4, retrainMinutes: 30 },
    outDir,
  });
  expect(request.groups).toHaveLength(2);
  const done = followSweep(await startSweep(client, request));
  done.catch(() => undefined);
  const g0 = join(outDir, 'groups', 'g0.json');
  await waitFor('the first group written', () => Promise.resolve(existsSync(g0) ? true : undefined), 120_000, 20);
  const writtenAt = statSync(g0).mtimeMs;
  await trading.kill();
  // The kill landed mid-sweep: the second group's walk-forward had not finished.
  expect(existsSync(join(outDir, 'groups', 'g1.json'))).toBe(false);
  await start('trading');
  const summary = await done;

  expect(summary.combinations).toBe(4);
  expect(statSync(g0).mtimeMs).toBe(writtenAt);
  expect((await getSweep(database.db, 'crash'))?.status).toBe('completed');
  expect(await listSweepResults(database.db, 'crash')).toHaveLength(4);
  // 8 half-hour segments per group, 2 groups: each model registered once.
  const models = await database.sql<{ n: string }[]>`select count(*)::text as n from models where purpose = 'backtest'`;
  expect(Number(models[0]!.n)).toBe(16);
});
