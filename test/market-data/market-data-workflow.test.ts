/**
 * MarketDataWorkflow on a real Temporal dev server: the workflow on the trading queue runs the streamBars
 * activity on a market-data worker, which fills the table from the local exchange; `stop` ends both. Then the
 * activities themselves in the SDK's activity environment: resuming from heartbeat details, cancellation, backfill.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import { createMarketDataActivities, type BackfillBarsInput, type StreamBarsInput } from '../../activities/market-data-activities';
import { installQuietRuntime } from '../../app/local-runtime';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { BAR_MS } from '../../domain/bars';
import { TASK_QUEUES } from '../../contracts/task-queues';
import type { StreamHeartbeat } from '../../binance/kline-stream';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { ensureTemporal, type TemporalHandle } from '../../infra';
import { waitForBar } from '../../market-data/bar-notifications';
import { createMarketDataWorker, createTradingWorker } from '../../workers/create-workers';
import * as workflowIndex from '../../workflows';
import { MarketDataWorkflow } from '../../workflows/market-data-workflow';
import { marketDataStatusQuery, marketDataWorkflowId, stopMarketDataSignal } from '../../contracts/market-data';
import { startTempPostgres, type TempPostgres } from '../db/temp-postgres';
import { freePorts } from '../helpers/free-ports';
import { loadShippedBars } from '../helpers/shipped-data';
import { allStoredBars, localSettings, SERIES, START, SYMBOL, waitUntil } from './fixtures';

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
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows/market-data-workflow'),
      logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
    }),
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
    expect(await waitForBar(database.sql, SERIES, closed!.openTime, 5_000)).toEqual(closed);
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

describe('market-data activities', () => {
  const activities = () => createMarketDataActivities({ db: database.db, sql: database.sql, tuning: { heartbeatIntervalMs: 100 } });
  beforeEach(async () => {
    await database.sql`delete from bars`;
  });

  test('streamBars continues the counters of its last heartbeat and ends as cancelled on cancellation', async () => {
    // A retried attempt: the previous one had reconnected 3 times and stored 7 bars.
    const env = new MockActivityEnvironment({ heartbeatDetails: { reconnects: 3, barsStored: 7 } });
    const heartbeats: StreamHeartbeat[] = [];
    env.on('heartbeat', (details: StreamHeartbeat) => heartbeats.push(details));
    const run = env.run((input: StreamBarsInput) => activities().streamBars(input), { symbol: SYMBOL, exchange: localSettings(exchange), historyHours: 1 });
    await waitUntil('the activity streams', () => heartbeats.at(-1)?.phase === 'streaming');
    await exchange.waitForKlineSubscribers(1);
    const [closed] = exchange.advance(1);
    expect(await waitForBar(database.sql, SERIES, closed!.openTime, 5_000)).toEqual(closed);
    await waitUntil('a heartbeat reports the new bar', () => heartbeats.at(-1)?.lastStoredOpenTime === closed!.openTime);
    expect(heartbeats.at(-1)).toMatchObject({ reconnects: 3, barsStored: 7 + 60 + 1 });

    env.cancel();
    await expect(run).rejects.toBeInstanceOf(CancelledFailure);
    await waitUntil('the stream is closed', () => exchange.state()['webSocketConnections'] === 0, 5_000);
  });

  test('backfillBars fills the missing closed bars of a range, once', async () => {
    const from = bars[START - 30]!.openTime;
    const lastClosed = exchange.closedBars - 1; // bars after it have not happened yet on the exchange
    const acts = activities();
    const backfillBars = (backfill: BackfillBarsInput) => acts.backfillBars(backfill);
    const input = { symbol: SYMBOL, exchange: localSettings(exchange), from, to: bars[lastClosed + 50]!.openTime };
    const env = new MockActivityEnvironment();
    expect(await env.run(backfillBars, input)).toEqual({
      missing: lastClosed - (START - 30) + 1,
      fetched: lastClosed - (START - 30) + 1,
      inserted: lastClosed - (START - 30) + 1,
      lastOpenTime: bars[lastClosed]!.openTime,
    });
    expect(await allStoredBars(database)).toEqual(bars.slice(START - 30, lastClosed + 1));
    expect(await env.run(backfillBars, input)).toMatchObject({ missing: 0, fetched: 0, inserted: 0 });
  });

  test('bad input fails without retries', async () => {
    const env = new MockActivityEnvironment();
    const failure = env.run((input: BackfillBarsInput) => activities().backfillBars(input), {
      symbol: 'BTC-PERP',
      exchange: localSettings(exchange),
      from: 0,
      to: BAR_MS,
    });
    await expect(failure).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(failure).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining("Symbol 'BTC-PERP' is not a Binance USDT-margined perpetual id"),
    });
  });
});
