/**
 * RetrainWorkflow on the real stack (Temporal dev server, PostgreSQL, LightGBM), without a bot: a candidate
 * failing the validation gates is rejected (outcome gated), a first model of a symbol becomes its champion, and a
 * candidate with a champion to beat but no bot to shadow it fails cleanly. Every run leaves its retrain event.
 */
import { loadConfig } from '../../config/load-config';
import { writeBars } from '../../db/repositories/bars';
import { liveSeries } from '../../domain/markets';
import { getChampion, getModel } from '../../db/repositories/models';
import { getRetrainEvent, listRetrainEvents } from '../../db/repositories/retrain-events';
import { TASK_QUEUES } from '../../contracts/task-queues';
import { retrainArgsFromConfig } from '../../app/retrain-input';
import { retrainWorkflowId, type RetrainGates, type RetrainInput, type RetrainProgress } from '../../contracts/retrain';
import { RetrainWorkflow } from '../../workflows/retrain-workflow';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';

jest.setTimeout(240_000);

const SYMBOL = 'BTCUSDT';
const HISTORY_BARS = 4_320; // 72 h: the 48 h window plus warm-up, as config data.history_hours
let runtime: TestRuntime;

const base = retrainArgsFromConfig(loadConfig());
/** Gates any trained model passes. */
const permissive: RetrainGates = { maxRmseVsBaseline: 100, minDirectionalAccuracy: 0, minValidationSharpe: null, shadowIcMargin: 0.05 };

function retrainInput(overrides: Partial<RetrainInput>): RetrainInput {
  return { ...base, symbol: SYMBOL, reason: 'manual', botWorkflowId: `bot-${SYMBOL}-paper`, ...overrides };
}

async function runRetrain(input: RetrainInput) {
  const handle = await runtime.client.workflow.start(RetrainWorkflow, {
    workflowId: retrainWorkflowId(input.symbol),
    taskQueue: TASK_QUEUES.trading,
    args: [input],
  });
  const result = await handle.result();
  return { handle, result };
}

beforeAll(async () => {
  runtime = await startTestRuntime({ trainingSlots: 1 });
  await writeBars(runtime.database.db, liveSeries(SYMBOL), loadShippedBars().slice(0, HISTORY_BARS), 'test:shipped', { replace: false });
});

afterAll(async () => {
  await runtime?.stop();
});

test('a candidate failing the validation gates is rejected without a shadow (outcome gated)', async () => {
  // No model of 1-minute returns halves the error of predicting zero.
  const strict = { ...permissive, maxRmseVsBaseline: 0.5 };
  const { handle, result } = await runRetrain(retrainInput({ gates: strict }));

  expect(result.outcome).toBe('gated');
  expect(result.version).toMatch(/^BTCUSDT-\d{8}T\d{4}-[0-9a-f]{8}$/);
  expect(result.metrics.gates?.passed).toBe(false);
  expect(result.metrics.gates?.failures[0]).toMatch(/^RMSE \/ zero-baseline RMSE [\d.]+ > 0\.5/);
  expect(result.metrics.shadow).toBeUndefined();
  expect((await getModel(runtime.database.db, result.version!))?.status).toBe('rejected');

  const event = await getRetrainEvent(runtime.database.db, result.eventId);
  expect(event).toMatchObject({ symbol: SYMBOL, reason: 'manual', outcome: 'gated', modelVersion: result.version });
  expect(event!.finishedAt).toBeGreaterThanOrEqual(event!.startedAt);
  expect(event!.metrics).toMatchObject({ gates: { passed: false }, validation: { nValid: expect.any(Number) } });

  const progress = await handle.query<RetrainProgress>('progress');
  expect(progress).toMatchObject({ phase: 'gated', version: result.version, error: null });
  const attributes = (await handle.describe()).typedSearchAttributes;
  expect(attributes.get({ name: 'Symbol', type: 'KEYWORD' })).toBe(SYMBOL);
  expect(attributes.get({ name: 'WorkflowKind', type: 'KEYWORD' })).toBe('retrain');
  expect(attributes.get({ name: 'ModelVersion', type: 'KEYWORD' })).toBe(result.version);
  expect(result.metrics.timingsMs.total).toBeGreaterThanOrEqual(result.metrics.timingsMs.train!);

  // Same window, same parameters: the registry's verdict stands, nothing is retrained or re-judged.
  const again = await runRetrain(retrainInput({ gates: permissive }));
  expect(again.result).toMatchObject({ outcome: 'rejected', version: result.version, metrics: { reused: true } });
  expect(again.result.metrics.note).toMatch(/already rejected: no new bars/);
  expect((await getModel(runtime.database.db, result.version!))?.status).toBe('rejected');
});

test('the first model of a symbol becomes its champion directly: there is no champion to shadow against', async () => {
  expect(await getChampion(runtime.database.db, SYMBOL)).toBeNull();
  // A shorter history is other training data, hence another model version.
  const { result } = await runRetrain(retrainInput({ gates: permissive, historyMinutes: HISTORY_BARS - 60 }));
  expect(result).toMatchObject({ outcome: 'promoted', error: null, metrics: { champion: null, gates: { passed: true } } });
  expect(result.metrics.note).toMatch(/no champion/);
  expect((await getChampion(runtime.database.db, SYMBOL))?.version).toBe(result.version);
});

test('a candidate with a champion to beat but no bot to shadow it fails, rejected, and leaves the champion alone', async () => {
  const champion = (await getChampion(runtime.database.db, SYMBOL))!.version;
  const { handle, result } = await runRetrain(retrainInput({ gates: permissive, historyMinutes: HISTORY_BARS - 120, botWorkflowId: 'bot-BTCUSDT-nowhere' }));
  expect(result.outcome).toBe('failed');
  expect(result.error).toMatch(/bot bot-BTCUSDT-nowhere is not running .*nothing can shadow the candidate/);
  expect(result.metrics.champion).toBe(champion);
  expect((await getModel(runtime.database.db, result.version!))?.status).toBe('rejected');
  expect((await getChampion(runtime.database.db, SYMBOL))?.version).toBe(champion);
  expect(await getRetrainEvent(runtime.database.db, result.eventId)).toMatchObject({ outcome: 'failed', metrics: { error: result.error } });
  expect((await handle.query<RetrainProgress>('progress')).phase).toBe('failed');
});

test('an invalid input fails the workflow with every problem named, before anything is recorded', async () => {
  const bad = retrainInput({ shadowBars: 0, horizon: 5, symbol: 'btc' });
  await expect(runRetrain(bad)).rejects.toThrow(/Workflow execution failed/);
  const handle = runtime.client.workflow.getHandle<typeof RetrainWorkflow>(retrainWorkflowId('btc'));
  const failure = await handle.result().catch((err: Error & { cause?: Error }) => err.cause?.message ?? '');
  expect(failure).toMatch(
    /symbol 'btc' is not a Binance symbol; shadowBars must be a positive integer \(got 0\); horizon \(5\) must equal training\.horizon \(10\)/,
  );
  expect(await listRetrainEvents(runtime.database.db, 'btc')).toEqual([]);
});
