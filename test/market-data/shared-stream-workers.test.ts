/**
 * Three MarketDataWorkflows (one per symbol) on a real Temporal dev server and PostgreSQL, their streamBars
 * activities on one market-data worker: every symbol rides ONE WebSocket connection of the worker's shared client
 * (binance/shared-stream.ts). Stopping one symbol leaves the others streaming on that connection; a dropped
 * connection brings all of them back on one new connection, with no gap in any symbol's bars.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import { installQuietRuntime } from '../../app/local-runtime';
import { marketDataWorkflowId, stopMarketDataSignal } from '../../contracts/market-data';
import { TASK_QUEUES } from '../../contracts/task-queues';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { loadBars } from '../../db/repositories/bars';
import { findGaps, type Bar } from '../../domain/bars';
import type { ExchangeSettings } from '../../domain/exchange-settings';
import { liveSeries } from '../../domain/markets';
import { ensureTemporal, type TemporalHandle } from '../../infra';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { standInBars } from '../../market-data/stand-in-bars';
import { createMarketDataWorker, createTradingWorker } from '../../workers/create-workers';
import { MarketDataWorkflow } from '../../workflows/market-data-workflow';
import { startTempPostgres, type TempPostgres } from '../db/temp-postgres';
import { freePorts } from '../helpers/free-ports';
import { loadShippedBars } from '../helpers/shipped-data';
import { waitUntil } from './fixtures';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'ADAUSDT'] as const;
const START = 3000;
const real = loadShippedBars();
const series: Record<string, Bar[]> = Object.fromEntries(SYMBOLS.map((symbol) => [symbol, standInBars(real, symbol)]));

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
  dataDir = mkdtempSync(join(tmpdir(), 'lgbm-bot-shared-'));
  chmodSync(dataDir, 0o755);
  const [port, uiPort] = (await freePorts(2)) as [number, number];
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
  database = openDatabase(pg.url, { max: 6 });
  exchange = await LocalExchange.start({ startIndex: START, speed: 0, port: 0, markets: SYMBOLS.map((symbol) => ({ symbol, bars: series[symbol]! })) });
  nativeConnection = await NativeConnection.connect({ address: temporal.address });
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection, namespace: temporal.namespace });
  const deps = { connection: nativeConnection, namespace: temporal.namespace, db: database.db, sql: database.sql, workflowBundle: bundle };
  workers.push(await createTradingWorker(deps), await createMarketDataWorker(deps));
  workersDone = Promise.all(workers.map((w) => w.run()));
}, 120_000);

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

const stored = (symbol: string): Promise<Bar[]> => loadBars(database.db, liveSeries(symbol), 0, Number.MAX_SAFE_INTEGER);

/** Waits until `symbol`'s table holds exactly the replay's bars [START - 60, START + closedSinceStart). */
async function expectContiguous(symbol: string, closedSinceStart: number): Promise<void> {
  const expected = series[symbol]!.slice(START - 60, START + closedSinceStart);
  await waitUntil(
    `${symbol} has its bars up to +${closedSinceStart}`,
    async () => (await stored(symbol)).at(-1)?.openTime === expected.at(-1)!.openTime,
    20_000,
  );
  const bars = await stored(symbol);
  expect(findGaps(bars)).toEqual([]);
  expect(bars).toEqual(expected);
}

async function subscribed(symbols: readonly string[]): Promise<void> {
  for (const symbol of symbols) await exchange.waitForKlineSubscribers(1, 20_000, symbol);
}

test('three symbols stream over one connection; one stops, the others stay; a drop brings all back on one connection', async () => {
  const settings: ExchangeSettings = { kind: 'local', baseUrl: exchange.baseUrl, apiKey: exchange.apiKey, apiSecret: exchange.apiSecret };
  const handles = new Map<string, WorkflowHandle<typeof MarketDataWorkflow>>();
  for (const symbol of SYMBOLS) {
    handles.set(
      symbol,
      await client.workflow.start(MarketDataWorkflow, {
        taskQueue: TASK_QUEUES.trading,
        workflowId: marketDataWorkflowId(symbol),
        args: [{ symbol, exchange: settings, historyHours: 1 }],
      }),
    );
  }

  // All three backfilled and subscribed, over a single WebSocket connection.
  for (const symbol of SYMBOLS) await expectContiguous(symbol, 0);
  await subscribed(SYMBOLS);
  expect(exchange.webSocketConnections()).toBe(1);
  expect(exchange.klineSubscribersBySymbol()).toEqual({ BTCUSDT: 1, ETHUSDT: 1, ADAUSDT: 1 });

  exchange.advance(3);
  for (const symbol of SYMBOLS) await expectContiguous(symbol, 3);
  expect(exchange.webSocketConnections()).toBe(1);

  // ETHUSDT's workflow stops: its symbol is unsubscribed, the connection and the other two stay.
  await handles.get('ETHUSDT')!.signal(stopMarketDataSignal);
  expect((await handles.get('ETHUSDT')!.result()).stopRequested).toBe(true);
  await waitUntil('ETHUSDT is unsubscribed', () => exchange.klineSubscribers('ETHUSDT') === 0, 10_000);
  expect(exchange.webSocketConnections()).toBe(1);
  expect(exchange.klineSubscribersBySymbol()).toEqual({ BTCUSDT: 1, ETHUSDT: 0, ADAUSDT: 1 });
  exchange.advance(2);
  for (const symbol of ['BTCUSDT', 'ADAUSDT']) await expectContiguous(symbol, 5);
  expect(exchange.webSocketConnections()).toBe(1);
  expect((await stored('ETHUSDT')).at(-1)?.openTime).toBe(series['ETHUSDT']![START + 2]!.openTime);

  // The connection drops and reconnects are refused for 2 bars: both symbols come back on ONE new connection
  // and catch up, without a gap.
  expect(exchange.dropWebSockets({ forBars: 2 })).toBe(1);
  exchange.advance(2);
  await subscribed(['BTCUSDT', 'ADAUSDT']);
  for (const symbol of ['BTCUSDT', 'ADAUSDT']) await expectContiguous(symbol, 7);
  expect(exchange.webSocketConnections()).toBe(1);
  exchange.advance(1);
  for (const symbol of ['BTCUSDT', 'ADAUSDT']) await expectContiguous(symbol, 8);
  expect(exchange.webSocketConnections()).toBe(1);
  expect(exchange.klineSubscribersBySymbol()).toEqual({ BTCUSDT: 1, ETHUSDT: 0, ADAUSDT: 1 });

  for (const symbol of ['BTCUSDT', 'ADAUSDT']) await handles.get(symbol)!.signal(stopMarketDataSignal);
  for (const symbol of ['BTCUSDT', 'ADAUSDT']) expect((await handles.get(symbol)!.result()).stopRequested).toBe(true);
  // The last lease released closes the shared client.
  await waitUntil('the shared connection is closed', () => exchange.webSocketConnections() === 0, 10_000);
}, 90_000);
