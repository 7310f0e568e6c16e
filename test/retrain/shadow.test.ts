/**
 * Shadow mode end to end (real Temporal, PostgreSQL, LightGBM, ccxt against the local exchange, paper bot):
 * RetrainWorkflow trains a candidate, the running bot predicts with it beside the champion for the shadow bars,
 * and the realised returns decide: rejected (the bot keeps its champion) or promoted (the bot trades the
 * candidate, the registry follows). Then `npm run models` lists, shows, rolls back through the bot, and refuses
 * what it cannot do.
 *
 * The champion is a constant model predicting +200 bp on every bar: any trained candidate has the lower RMSE, so
 * the IC margin alone steers the verdict (-2 demands an IC two points above the champion's, 2 accepts any).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { and, count, eq } from 'drizzle-orm';
import { train } from 'lightgbm-node-binding';
import { retrainArgsFromConfig } from '../../app/retrain-input';
import { startBot } from '../../app/start-bot';
import { loadConfig } from '../../config/load-config';
import type { BotConfig } from '../../config/schema';
import { getChampion, getModel, insertModel } from '../../db/repositories/models';
import { RetrainWorkflow } from '../../workflows/retrain-workflow';
import { getRetrainEvent } from '../../db/repositories/retrain-events';
import { predictions, type NewModelRow } from '../../db/schema';
import { computeFeatureMatrix, FEATURE_NAMES, N_FEATURES, WARMUP_BARS } from '../../model/features';
import { featureReference } from '../../model/psi';
import { TASK_QUEUES } from '../../contracts/task-queues';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { retrainWorkflowId, type RetrainInput, type RetrainProgress, type RetrainResult } from '../../contracts/retrain';
import type { BotStatus } from '../../contracts/bot';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(300_000);

const SYMBOL = 'BTCUSDT';
const START_INDEX = 4_320;
const CONSTANT = 'BTCUSDT-constant-200bp';
const ROOT = join(__dirname, '..', '..');

let runtime: TestRuntime;
let exchange: LocalExchange;
let bot: WorkflowHandle;
const shipped = loadConfig();
const args = retrainArgsFromConfig(shipped);

/** A registry row for a model that predicts `value` whatever the features (LightGBM on a constant target). */
function constantModel(version: string, value: number, overrides: Partial<NewModelRow> = {}): NewModelRow {
  const n = 200;
  const x = Float64Array.from({ length: n * N_FEATURES }, (_, i) => (i * 7_919) % 13);
  const { booster } = train({
    params: { objective: 'regression', num_threads: 1 },
    train: { x, y: new Float64Array(n).fill(value), nRows: n, nCols: N_FEATURES },
    numIterations: 1,
  });
  const modelText = booster.saveToString();
  booster.dispose();
  const history = loadShippedBars().slice(0, START_INDEX);
  const features = computeFeatureMatrix(history).subarray(WARMUP_BARS * N_FEATURES);
  const trainEnd = history[history.length - 1]!.openTime + 60_000;
  return {
    version,
    symbol: SYMBOL,
    trainStart: trainEnd - 48 * 3_600_000,
    trainEnd,
    horizon: shipped.training.prediction_horizon_minutes,
    params: { constant: value },
    metrics: { rmse: value, directionalAccuracy: 0.5, ic: 0, n: 0, bestIteration: 1, nTrain: n, nValid: 0 },
    featureReference: featureReference(features, N_FEATURES, FEATURE_NAMES),
    featureImportance: {},
    modelText,
    status: 'candidate',
    purpose: 'live',
    ...overrides,
  };
}

const botStatus = () => bot.query<BotStatus>('status');

/** Releases one bar on the exchange and waits until the bot has decided on it. */
async function nextBar(): Promise<BotStatus> {
  const before = (await botStatus()).barsProcessed;
  exchange.advance(1);
  return waitFor('the bot to process the bar', async () => {
    const s = await botStatus();
    return s.barsProcessed > before ? s : undefined;
  });
}

/** Runs a retrain with the shadow rule's IC margin, releasing bars one by one until it ends. */
async function retrainWithShadow(shadowIcMargin: number): Promise<RetrainResult> {
  const input: RetrainInput = {
    ...args,
    symbol: SYMBOL,
    reason: 'manual',
    botWorkflowId: bot.workflowId,
    gates: { maxRmseVsBaseline: 100, minDirectionalAccuracy: 0, minValidationSharpe: null, shadowIcMargin },
    barMs: 1_000,
  };
  const handle = await runtime.client.workflow.start(RetrainWorkflow, {
    workflowId: retrainWorkflowId(SYMBOL),
    taskQueue: TASK_QUEUES.trading,
    args: [input],
  });
  await waitFor('the candidate to enter the shadow', async () => ((await handle.query<RetrainProgress>('progress')).phase === 'shadow' ? true : undefined));
  // shadowBars (5) challenger predictions, then H (10) more bars for their returns; a few more for the bot to
  // apply a promotion before its next bar.
  for (let i = 0; i < 40 && (await handle.describe()).status.name === 'RUNNING'; i++) await nextBar();
  return handle.result();
}

async function challengerPredictions(version: string): Promise<number> {
  const [row] = await runtime.database.db
    .select({ n: count() })
    .from(predictions)
    .where(and(eq(predictions.modelVersion, version), eq(predictions.role, 'challenger')));
  return row?.n ?? 0;
}

beforeAll(async () => {
  runtime = await startTestRuntime({ trainingSlots: 1 });
  exchange = await LocalExchange.start({ bars: loadShippedBars(), startIndex: START_INDEX, speed: 0, port: 0 });
  await insertModel(runtime.database.db, constantModel(CONSTANT, 0.02, { status: 'champion' }));
  // No drift or performance trigger may start a retrain of its own in this file.
  const config: BotConfig = { ...shipped, retraining: { ...shipped.retraining, psi_threshold: 1e9, sharpe_threshold: -1e9 } };
  const settings = { kind: 'local' as const, baseUrl: exchange.baseUrl, apiKey: exchange.apiKey, apiSecret: exchange.apiSecret };
  bot = await startBot(runtime.client, runtime.database.db, {
    config,
    symbol: SYMBOL,
    mode: 'paper',
    exchange: settings,
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
  });
  expect((await botStatus()).modelVersion).toBe(CONSTANT);
});

afterAll(async () => {
  await bot?.signal('stop').catch(() => undefined);
  await runtime?.stop();
  await exchange?.stop();
});

let rejected: RetrainResult;
let promoted: RetrainResult;

test('a challenger losing on the shadow rule is rejected and the bot keeps its champion', async () => {
  rejected = await retrainWithShadow(-2);

  expect(rejected.outcome).toBe('rejected');
  const score = rejected.metrics.score!;
  expect(score).toMatchObject({ verdict: 'reject', n: args.shadowBars, reason: expect.stringMatching(/^challenger IC .* below the champion's/) });
  // Both models were scored on the same bars: the constant champion's error is its 200 bp.
  expect(score.champion!.n).toBe(score.challenger!.n);
  expect(score.champion!.rmse).toBeGreaterThan(0.015);
  expect(score.challenger!.rmse).toBeLessThan(score.champion!.rmse);
  expect(await challengerPredictions(rejected.version!)).toBe(args.shadowBars);

  expect((await getModel(runtime.database.db, rejected.version!))?.status).toBe('rejected');
  expect((await getChampion(runtime.database.db, SYMBOL))?.version).toBe(CONSTANT);
  expect((await botStatus()).modelVersion).toBe(CONSTANT);
  expect(await getRetrainEvent(runtime.database.db, rejected.eventId)).toMatchObject({ outcome: 'rejected', modelVersion: rejected.version });
});

test('a challenger winning the shadow is promoted: the bot trades it and the registry follows', async () => {
  promoted = await retrainWithShadow(2);

  expect(promoted).toMatchObject({ outcome: 'promoted', error: null, metrics: { registryConfirmed: true, champion: CONSTANT, score: { verdict: 'promote' } } });
  expect(promoted.version).not.toBe(rejected.version);
  expect((await botStatus()).modelVersion).toBe(promoted.version);
  expect((await getChampion(runtime.database.db, SYMBOL))?.version).toBe(promoted.version);
  expect((await getModel(runtime.database.db, CONSTANT))?.status).toBe('retired');
  const timings = promoted.metrics.timingsMs;
  expect(timings.total).toBeGreaterThanOrEqual((timings.train ?? 0) + (timings.shadow ?? 0));
  expect(await getRetrainEvent(runtime.database.db, promoted.eventId)).toMatchObject({ outcome: 'promoted', metrics: { registryConfirmed: true } });
});

describe('npm run models', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'models-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Runs the CLI against the test stack; `whileRunning` is called repeatedly until it exits (e.g. to release bars). */
  async function models(argv: string[], whileRunning?: () => Promise<unknown>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: runtime.infra.temporalAddress,
      DATABASE_URL: runtime.infra.databaseUrl,
      BOT_DATA_DIR: dataDir,
    };
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'models.ts'), ...argv], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exited = false;
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => ((exited = true), resolve(code))));
    while (whileRunning && !exited) {
      await whileRunning();
      await new Promise((r) => setTimeout(r, 300));
    }
    return { code: await done, stdout, stderr };
  }

  test('list shows every live model of the symbol with its status; show details one', async () => {
    const list = await models(['list', '--json']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { version: string; status: string }[];
    expect(Object.fromEntries(rows.map((r) => [r.version, r.status]))).toEqual({
      [promoted.version!]: 'champion',
      [rejected.version!]: 'rejected',
      [CONSTANT]: 'retired',
    });

    const table = await models(['list']);
    expect(table.stdout.split('\n').filter((l) => l.startsWith(CONSTANT))).toEqual([
      expect.stringMatching(/ retired +\d{4}-\d\d-\d\d \d\d:\d\d -> .* rmse\/base /),
    ]);

    const text = await models(['show', promoted.version!]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${promoted.version}  (BTCUSDT, live)`);
    expect(text.stdout).toMatch(/status {5}champion since/);
    expect(text.stdout).toMatch(/feature importance \(gain, top 10\)\n( {4}\w+ +[\d.e+-]+ +[\d.]+ %\n){10}/);
    expect(text.stdout).toMatch(/PSI reference: \d+ training rows, 19 features/);
  });

  test('rollback promotes the previous champion through the bot and waits for it', async () => {
    const run = await models(['rollback', '--timeout', '60'], () => nextBar());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^rolled back: bot-BTCUSDT-paper now trades ${CONSTANT} \\(was ${promoted.version}\\); registry updated`));
    expect((await botStatus()).modelVersion).toBe(CONSTANT);
    expect((await getChampion(runtime.database.db, SYMBOL))?.version).toBe(CONSTANT);
    expect((await getModel(runtime.database.db, promoted.version!))?.status).toBe('retired');
  });

  test('promote refuses unknown versions, backtest models, other symbols and a bot that does not run', async () => {
    await insertModel(runtime.database.db, constantModel('BTCUSDT-backtest-model', 0, { purpose: 'backtest' }));
    await insertModel(runtime.database.db, constantModel('ETHUSDT-some-model', 0, { symbol: 'ETHUSDT' }));
    const cases: [string[], RegExp][] = [
      [['promote', 'BTCUSDT-nope'], /unknown model version 'BTCUSDT-nope'/],
      [['promote', 'BTCUSDT-backtest-model'], /trained inside a backtest and cannot serve a bot/],
      [['promote', 'ETHUSDT-some-model'], /is a ETHUSDT model, not BTCUSDT \(add --symbol ETHUSDT/],
      [['promote', promoted.version!, '--mode', 'live'], /no bot 'bot-BTCUSDT-live' in Temporal/],
    ];
    for (const [argv, message] of cases) {
      const run = await models(argv);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
    }
    expect((await botStatus()).modelVersion).toBe(CONSTANT);
  });
});
