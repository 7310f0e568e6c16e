/**
 * The test: /metrics scraped during a paper run on the real stack. The trading queue is served by a real
 * worker process (`workers/trading-worker.ts`, the production entry point) with METRICS_PORT set, so its Runtime
 * carries the Temporal SDK's Prometheus exporter (one Runtime per process: this jest process has its own, without
 * metrics). This process hosts Temporal, PostgreSQL, the local exchange and the training and market-data workers;
 * the bot's workflow and its bar activities (awaitBar, recordBar) run only in the child, whose one /metrics
 * endpoint must show both the SDK's temporal_* metrics and the bot's gauges and latency for the bot's symbol.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { installQuietRuntime } from '../../app/local-runtime';
import { startBot } from '../../app/start-bot';
import { projectRoot } from '../../config/project-root';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { ensurePostgres, ensureTemporal, type PostgresHandle, type TemporalHandle } from '../../infra';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { createMarketDataWorker, createTrainingWorker } from '../../workers/create-workers';
import { localSettings, paperTestConfig, HISTORY_BARS, releaseBars, SYMBOL, waitForStatus } from '../bot/fixtures/bot-harness';
import { freePorts } from '../helpers/free-ports';
import { loadShippedBars } from '../helpers/shipped-data';
import { waitFor } from '../helpers/wait-for';
import { parsePrometheusText, sampleValue, type Sample } from './prometheus-text';

jest.setTimeout(150_000);

const BARS = 4;
const BOT = { symbol: SYMBOL, mode: 'paper' };

let dataDir: string;
let temporal: TemporalHandle;
let postgres: PostgresHandle;
let database: DatabaseHandle;
let exchange: LocalExchange;
let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
const workers: Worker[] = [];
let workersDone: Promise<unknown> = Promise.resolve();
let child: ChildProcess | undefined;
let childExited: Promise<void> = Promise.resolve();
const output = { stdout: '', stderr: '' };
let metricsUrl: string;

/** Starts workers/trading-worker.ts as the production entry point runs it; resolves once it polls. */
async function startTradingWorkerProcess(env: Record<string, string>): Promise<void> {
  child = spawn(process.execPath, ['--import', 'tsx', 'workers/trading-worker.ts'], {
    cwd: projectRoot(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.LIGHTGBM_LIB_PATH ? { LIGHTGBM_LIB_PATH: process.env.LIGHTGBM_LIB_PATH } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = child;
  childExited = new Promise((done) => proc.once('exit', () => done()));
  proc.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
  proc.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  await waitFor(
    'the trading worker process to poll its task queue',
    () => {
      if (proc.exitCode !== null) throw new Error(`trading worker exited (code ${proc.exitCode}):\n${output.stdout}\n${output.stderr}`);
      return Promise.resolve(output.stdout.includes('polling task queue') ? true : undefined);
    },
    90_000,
  );
}

async function scrape(): Promise<Sample[]> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  const text = await res.text();
  // One exposition: no metric family declared twice by the bot's registry and the SDK's exporter.
  const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
  expect(types.length - new Set(types.map((l) => l.split(' ')[2])).size).toBe(0);
  return parsePrometheusText(text);
}

beforeAll(async () => {
  installQuietRuntime();
  dataDir = mkdtempSync(join(tmpdir(), 'lgbm-bot-metrics-'));
  chmodSync(dataDir, 0o755); // the embedded server runs as the postgres OS user when tests run as root
  const [temporalPort, uiPort, pgPort, metricsPort, sdkPort] = (await freePorts(5)) as [number, number, number, number, number];
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const quiet = { env: {}, log: () => undefined };
  [temporal, postgres, exchange] = await Promise.all([
    ensureTemporal({ port: temporalPort, uiPort, dataDir, ...quiet }),
    ensurePostgres({ port: pgPort, dataDir, ...quiet }),
    LocalExchange.start({ bars: loadShippedBars(), startIndex: HISTORY_BARS, speed: 0, port: 0 }),
  ]);
  if (!temporal.startedHere || !postgres.startedHere) throw new Error('expected a fresh Temporal and PostgreSQL of this test');
  await migrateDatabase(postgres.url);
  database = openDatabase(postgres.url, { max: 6 });
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection, namespace: temporal.namespace });
  nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const deps = { connection: nativeConnection, namespace: temporal.namespace, db: database.db, sql: database.sql, trainingSlots: 1 };
  workers.push(await createMarketDataWorker(deps), await createTrainingWorker(deps));
  workersDone = Promise.all(workers.map((w) => w.run()));
  await startTradingWorkerProcess({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    DATABASE_URL: postgres.url,
    METRICS_PORT: String(metricsPort),
    METRICS_SDK_PORT: String(sdkPort),
    METRICS_HOST: '127.0.0.1',
    // Empty values win over a developer's .env: the format is then chosen by stdout (a pipe here: JSON).
    LOG_FORMAT: '',
    LOG_LEVEL: 'INFO',
  });
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await childExited;
  for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  await workersDone.catch(() => undefined);
  await nativeConnection?.close();
  await connection?.close();
  await exchange?.stop();
  await database?.close();
  await Promise.all([postgres?.stop(), temporal?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("a paper run's worker process serves the Temporal SDK's metrics and the bot's on one /metrics, and logs JSON lines", async () => {
  const handle = await startBot(client, database.db, {
    config: paperTestConfig(),
    symbol: SYMBOL,
    mode: 'paper',
    exchange: localSettings(exchange),
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
    maxBars: BARS,
  });
  await exchange.waitForKlineSubscribers(1);
  await waitForStatus(handle, 'the bot runs', (s) => s.barsProcessed === 0, 60_000);

  // During the run: two bars recorded, the bot still waiting for the next.
  await releaseBars(exchange, handle, 2);
  const during = await waitFor('two recorded bars on /metrics', async () => {
    const samples = await scrape();
    return (sampleValue(samples, 'bot_bar_to_decision_seconds_count', BOT) ?? 0) >= 2 ? samples : undefined;
  });
  const status = await waitForStatus(handle, 'the status of bar 2', (s) => s.barsProcessed === 2);
  expect(sampleValue(during, 'bot_equity', BOT)).toBe(status.equity);
  expect(sampleValue(during, 'bot_pnl_today', BOT)).toBeCloseTo(status.pnlToday, 9);
  expect(sampleValue(during, 'bot_position_side', BOT)).toBe(status.position === null ? 0 : status.position.side === 'LONG' ? 1 : -1);
  expect(sampleValue(during, 'bot_last_bar_timestamp_seconds', BOT)).toBe(status.lastBar!.openTime / 1000);
  expect(sampleValue(during, 'bot_temporal_sdk_metrics_up', {})).toBe(1);
  const decisions = during.filter((s) => s.name === 'bot_decisions_total' && s.labels.symbol === SYMBOL);
  expect(decisions.reduce((sum, s) => sum + s.value, 0)).toBe(2);

  // The SDK's own metrics of this worker: polls, workflow tasks and the bot's activities on the trading queue.
  const names = new Set(during.map((s) => s.name));
  const sdkNames = [...names].filter((n) => n.startsWith('temporal_')).sort();
  console.log(
    `${sdkNames.length} Temporal SDK metric names, e.g. ${sdkNames
      .filter((n) => n.endsWith('_count'))
      .slice(0, 4)
      .join(', ')}`,
  );
  for (const name of ['temporal_workflow_task_execution_latency_count', 'temporal_activity_execution_latency_count', 'temporal_request']) {
    expect(`${name}: ${names.has(name)}`).toBe(`${name}: true`);
  }
  // The bar wait is a normal activity of the bot on the trading queue (recordBar is a local activity).
  const barWaits = during.filter(
    (s) =>
      s.name === 'temporal_activity_execution_latency_count' &&
      s.labels.activity_type === 'awaitBar' &&
      s.labels.task_queue === 'trading' &&
      s.labels.workflow_type === 'TradingBotWorkflow',
  );
  expect(barWaits.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(2);

  await releaseBars(exchange, handle, BARS - 2);
  const final = await handle.result();
  const after = await waitFor('all bars on /metrics', async () => {
    const samples = await scrape();
    return sampleValue(samples, 'bot_bar_to_decision_seconds_count', BOT) === BARS ? samples : undefined;
  });
  expect(sampleValue(after, 'bot_equity', BOT)).toBe(final.equity);
  expect(sampleValue(after, 'bot_bar_to_decision_seconds_bucket', { ...BOT, le: '+Inf' })).toBe(BARS);

  // Graceful stop: the worker's own lines, and the SDK's (INFO here), are one JSON object per line.
  child!.kill('SIGTERM');
  await childExited;
  // Node's own process warnings ("(node:123) ...") are not the process's events.
  const lines = [...output.stdout.split('\n'), ...output.stderr.split('\n')].filter((l) => l.trim() !== '' && !l.startsWith('(node:'));
  const parsed = lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON log line: ${l}`);
    }
  });
  // Ours (and the SDK logger's): ts, level, msg. Native Core's own JSON (not forwarded, see runtime-options.ts): timestamp, level, fields.
  const ours = (p: Record<string, unknown>) => typeof p.ts === 'string' && typeof p.level === 'string' && typeof p.msg === 'string';
  const core = (p: Record<string, unknown>) => typeof p.timestamp === 'string' && typeof p.level === 'string' && typeof p.fields === 'object';
  expect(parsed.filter((p) => !ours(p) && !core(p))).toEqual([]);
  expect(parsed).toEqual(expect.arrayContaining([expect.objectContaining({ msg: 'metrics served', url: metricsUrl })]));
  expect(parsed).toEqual(expect.arrayContaining([expect.objectContaining({ msg: 'polling task queue', taskQueue: 'trading' })]));
  expect(parsed).toEqual(expect.arrayContaining([expect.objectContaining({ msg: 'process stats', process: 'trading-worker' })]));
  // The Temporal Runtime logger (SDK worker lifecycle at INFO) writes through the same formatter.
  expect(parsed.some((p) => p.sdkComponent === 'worker')).toBe(true);
});
