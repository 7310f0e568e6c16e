/**
 * MarketDataWorkflow on a real Temporal dev server: the workflow on the trading queue runs the streamBars
 * activity on a market-data worker, which fills the table from the local exchange; `stop` ends both.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import { installQuietRuntime } from '../../app/local-runtime';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { TASK_QUEUES } from '../../domain/task-queues';
import { LocalExchange } from '../../exchange/local-exchange';
import { ensureTemporal, type TemporalHandle } from '../../infra';
import { waitForBar } from '../../market-data/bar-notifications';
import { createMarketDataWorker, createTradingWorker } from '../../workers/create-workers';
import * as workflowIndex from '../../workflows';
import { MarketDataWorkflow, marketDataStatusQuery, marketDataWorkflowId, stopMarketDataSignal } from '../../workflows/market-data-workflow';
import { startTempPostgres, type TempPostgres } from '../db/temp-postgres';
import { freePorts } from '../helpers/free-ports';
import { loadShippedBars } from '../helpers/shipped-data';
import { allStoredBars, localSettings, START, SYMBOL, waitUntil } from './fixtures';

const bars = loadShippedBars();
let dataDir: string;
let temporal: TemporalHandle;
let pg: TempPostgres;
let database: DatabaseHandle;
let exchange: LocalExchange;
let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
const workers: Worker[] = [];
let workersDone: Promise<unknown> = Promise.resolve();

beforeAll(async () => {
  installQuietRuntime();
  dataDir = mkdtempSync(join(tmpdir(), 'lgbm-bot-md-'));
  chmodSync(dataDir, 0o755);
  const [port, uiPort] = (await freePorts(2)) as [number, number];
  // Only the workflow under test in the bundle: faster, and independent of other work in progress.
  const [temporalHandle, postgresHandle, bundle] = await Promise.all([
    ensureTemporal({ port, uiPort, dataDir, env: {} }),
    startTempPostgres(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/market-data-workflow'), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error } }),
  ]);
  temporal = temporalHandle;
  pg = postgresHandle;
  await migrateDatabase(pg.url);
  database = openDatabase(pg.url, { max: 4 });
  exchange = await LocalExchange.start({ bars, startIndex: START });
  nativeConnection = await NativeConnection.connect({ address: temporal.address });
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection, namespace: temporal.namespace });
  const deps = { connection: nativeConnection, namespace: temporal.namespace, db: database.db, sql: database.sql, workflowBundle: bundle };
  workers.push(await createTradingWorker(deps), await createMarketDataWorker(deps));
  workersDone = Promise.all(workers.map((w) => w.run()));
});

afterAll(async () => {
  for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  await workersDone.catch(() => undefined);
  await nativeConnection?.close();
  await connection?.close();
  await exchange?.stop();
  await database?.close();
  await pg?.stop();
  await temporal?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('the workflow bundle entry exports MarketDataWorkflow', () => {
  expect(workflowIndex.MarketDataWorkflow).toBe(MarketDataWorkflow);
});

test('MarketDataWorkflow streams bars into the table until the stop signal ends it', async () => {
  const handle = await client.workflow.start(MarketDataWorkflow, {
    taskQueue: TASK_QUEUES.trading,
    workflowId: marketDataWorkflowId(SYMBOL),
    args: [{ symbol: SYMBOL, exchange: localSettings(exchange), historyHours: 1 }],
  });

  await waitUntil('the last hour is backfilled', async () => (await allStoredBars(database)).length === 60, 20_000);
  await exchange.waitForKlineSubscribers(1);
  for (let i = 0; i < 2; i++) {
    const [closed] = exchange.advance(1);
    expect(await waitForBar(database.sql, SYMBOL, closed!.openTime, 5_000)).toEqual(closed);
  }
  expect(await allStoredBars(database)).toEqual(bars.slice(START - 60, START + 2));

  expect(await handle.query(marketDataStatusQuery)).toEqual({
    symbol: SYMBOL,
    exchange: localSettings(exchange),
    historyHours: 1,
    sessionsCompleted: 0,
    lastSession: null,
    stopRequested: false,
  });
  const description = await handle.describe();
  expect(description.typedSearchAttributes.get(defineSearchAttributeKey('WorkflowKind', SearchAttributeType.KEYWORD))).toBe('market-data');
  expect(description.typedSearchAttributes.get(defineSearchAttributeKey('Symbol', SearchAttributeType.KEYWORD))).toBe(SYMBOL);
  expect(description.raw.pendingActivities?.map((a) => a.activityType?.name)).toEqual(['streamBars']);

  const stoppedAt = Date.now();
  await handle.signal(stopMarketDataSignal);
  const final = await handle.result();
  expect(final.stopRequested).toBe(true);
  // The cancellation reaches the activity with its next heartbeat (the worker sends one at least every 2 s).
  const stopMs = Date.now() - stoppedAt;
  console.log(`stop signal -> workflow completed: ${stopMs} ms`);
  expect(stopMs).toBeLessThan(6_000);
  await waitUntil('the stream is closed', () => exchange.state()['webSocketConnections'] === 0, 5_000);
  expect((await handle.describe()).status.name).toBe('COMPLETED');
});
