/**
 * The paper bot survives the loss of its worker: the trading and training workers run in a child process that
 * is SIGKILLed three times during a 100-bar run (while the bot waits for a bar, right after a bar was released,
 * and a moment into a bar), then restarted. This process hosts Temporal, PostgreSQL, the local exchange and the
 * market-data worker (the bar stream is not what is tested here; its activity's 30 s heartbeat timeout would only
 * slow the test down). Afterwards no bar may be missing or repeated, and trades, equity and position must be
 * those of an uninterrupted run over the same bars (the backtest-path replay, see paper-bot.test.ts's parity).
 */
import { BAR_MS } from '../../domain/bars';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { installQuietRuntime } from '../../app/local-runtime';
import { startBot } from '../../app/start-bot';
import { tradingParamsFromConfig } from '../../app/trading-params';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { getModel } from '../../db/repositories/models';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { ensurePostgres, ensureTemporal, type PostgresHandle, type TemporalHandle } from '../../infra';
import { createMarketDataWorker, workflowBundle } from '../../workers/create-workers';
import { operateUpdate } from '../../contracts/bot';
import { freePorts } from '../helpers/free-ports';
import { loadShippedBars } from '../helpers/shipped-data';
import {
  barTimesAfter,
  HISTORY_BARS,
  localSettings,
  paperTestConfig,
  readBotRecords,
  releaseBars,
  replayPaperBot,
  SYMBOL,
  waitForStatus,
} from './fixtures/bot-harness';
import { startWorkerProcess, type WorkerProcess, type WorkerProcessEnv } from './fixtures/worker-process';

jest.setTimeout(240_000);

const TOTAL_BARS = 100;
const bars = loadShippedBars();
const config = paperTestConfig();

let dataDir: string;
let temporal: TemporalHandle;
let postgres: PostgresHandle;
let database: DatabaseHandle;
let exchange: LocalExchange;
let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
let marketDataWorker: Worker | undefined;
let marketDataDone: Promise<void> = Promise.resolve();
let workerEnv: WorkerProcessEnv;
let workerProcess: WorkerProcess | undefined;

beforeAll(async () => {
  installQuietRuntime();
  dataDir = mkdtempSync(join(tmpdir(), 'lgbm-bot-crash-'));
  chmodSync(dataDir, 0o755); // the embedded server runs as the postgres OS user when tests run as root
  const [temporalPort, uiPort, pgPort] = (await freePorts(3)) as [number, number, number];
  const quiet = { env: {}, log: () => undefined };
  const [t, p, bundle, e] = await Promise.all([
    ensureTemporal({ port: temporalPort, uiPort, dataDir, ...quiet }),
    ensurePostgres({ port: pgPort, dataDir, ...quiet }),
    workflowBundle(),
    LocalExchange.start({ bars, startIndex: HISTORY_BARS, speed: 0, port: 0 }),
  ]);
  [temporal, postgres, exchange] = [t, p, e];
  if (!temporal.startedHere || !postgres.startedHere) throw new Error('expected a fresh Temporal and PostgreSQL of this test');
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  await migrateDatabase(postgres.url);
  database = openDatabase(postgres.url, { max: 6 });
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection, namespace: temporal.namespace });
  nativeConnection = await NativeConnection.connect({ address: temporal.address });
  marketDataWorker = await createMarketDataWorker({ connection: nativeConnection, namespace: temporal.namespace, db: database.db, sql: database.sql });
  marketDataDone = marketDataWorker.run();
  workerEnv = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    DATABASE_URL: postgres.url,
    WORKER_QUEUES: 'trading,training',
    WORKFLOW_BUNDLE: bundlePath,
  };
});

afterAll(async () => {
  await workerProcess?.kill();
  if (marketDataWorker?.getState() === 'RUNNING') marketDataWorker.shutdown();
  await marketDataDone.catch(() => undefined);
  await nativeConnection?.close();
  await connection?.close();
  await exchange?.stop();
  await database?.close();
  await Promise.all([postgres?.stop(), temporal?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Where each kill happens: the bot idle in its bar wait, just after a bar is released, or a moment into it. */
const KILLS = [
  { afterBars: 20, moment: 'waiting for the next bar', delayMs: null },
  { afterBars: 45, moment: 'right after a bar is released', delayMs: 0 },
  { afterBars: 70, moment: '40 ms after a bar is released', delayMs: 40 },
] as const;

test('SIGKILLed worker process, three times in 100 bars: no bar missing or repeated, same trades and equity as an uninterrupted run', async () => {
  const t0 = Date.now();
  workerProcess = await startWorkerProcess(workerEnv);
  console.log(`worker process ready in ${Date.now() - t0} ms`);
  const startAfter = bars[exchange.closedBars - 1]!.openTime;
  const handle = await startBot(client, database.db, {
    config,
    symbol: SYMBOL,
    mode: 'paper',
    exchange: localSettings(exchange),
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
  });
  await exchange.waitForKlineSubscribers(1);
  await waitForStatus(handle, 'the bot runs', (s) => s.barsProcessed === 0);

  let processed = 0;
  for (const kill of KILLS) {
    await releaseBars(exchange, handle, kill.afterBars - processed);
    processed = kill.afterBars;
    if (kill.delayMs !== null) {
      exchange.advance(1);
      processed += 1;
      if (kill.delayMs > 0) await new Promise((r) => setTimeout(r, kill.delayMs));
    }
    const killedAt = Date.now();
    await workerProcess.kill();
    workerProcess = await startWorkerProcess(workerEnv);
    const restartedAt = Date.now();
    // One more bar after the restart, so every kill is followed by a processed bar.
    if (kill.delayMs === null) {
      exchange.advance(1);
      processed += 1;
    }
    const target = processed;
    await waitForStatus(handle, `bar #${target} is processed after the kill ${kill.moment}`, (s) => s.barsProcessed >= target, 90_000);
    console.log(
      `kill ${kill.moment} after bar ${kill.afterBars}: worker back in ${restartedAt - killedAt} ms, bar #${target} processed ${Date.now() - killedAt} ms after the kill`,
    );
  }
  await releaseBars(exchange, handle, TOTAL_BARS - processed);

  const final = await handle.executeUpdate(operateUpdate, { args: ['stop'] }).then(() => handle.result());
  console.log(`whole run: ${Date.now() - t0} ms, ${final.tradesClosed} trades`);
  expect(final.barsProcessed).toBe(TOTAL_BARS);

  // The crashes really interrupted the bar wait: some activity attempt was a retry.
  const history = await handle.fetchHistory();
  const retried = (history.events ?? []).filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length;
  // Timeout type 1 = start-to-close (the worker died holding the task), 2 = schedule-to-start (its sticky queue).
  const lostWorkflowTasks = (history.events ?? []).flatMap((e) =>
    e.workflowTaskTimedOutEventAttributes ? [e.workflowTaskTimedOutEventAttributes.timeoutType] : [],
  );
  console.log(`bar-wait activities retried: ${retried}; workflow tasks timed out (timeout types): ${JSON.stringify(lostWorkflowTasks)}`);
  expect(retried).toBeGreaterThanOrEqual(1);

  const times = barTimesAfter(startAfter, TOTAL_BARS);
  const records = await readBotRecords(database.db, startAfter + BAR_MS);
  expect(records.decisions.map((d) => d.openTime)).toEqual(times);
  expect(records.equity.map((e) => e.openTime)).toEqual(times);
  expect(records.predictions.map((p) => p.openTime)).toEqual(times);
  expect(records.trades).toHaveLength(final.tradesClosed);
  expect(final.tradesClosed).toBeGreaterThanOrEqual(3);

  const replay = await replayPaperBot({
    db: database.db,
    modelText: (await getModel(database.db, final.modelVersion))!.modelText,
    modelVersion: final.modelVersion,
    params: tradingParamsFromConfig(config),
    startAfter,
    bars: TOTAL_BARS,
  });
  expect(records.predictions.map((p) => p.prediction)).toEqual(replay.predictions);
  expect(records.decisions.map((d) => d.action)).toEqual(replay.actions);
  expect(records.trades).toEqual(replay.trades);
  expect(records.equity.map(({ openTime, equity }) => ({ openTime, equity }))).toEqual(replay.equity);
  expect(final.equity).toBe(replay.state.lastEquity);
  expect(final.position?.side ?? null).toBe(replay.state.position?.side ?? null);
  expect(final.position?.entryTime ?? null).toBe(replay.state.position?.entryTime ?? null);
});
