/**
 * The retrain Schedule on a real Temporal server: its interval (divided by the demo speed), overlap policy BUFFER_ONE
 * and catch-up window; while a scheduled retrain runs, the next action waits for it and one more is dropped, and a
 * forced launch finds `retrain-<SYMBOL>` busy and waits, so one RetrainWorkflow runs at a time; cancelling the launch
 * cancels the retrain, which cleans up, and the waiting launches then retrain in turn; pause and delete.
 *
 * The retrain is held in its shadow phase by a paper bot that receives no market data: it accepts the startShadow
 * signal but never gets a bar to predict, exactly like a bot waiting for the next minute.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowFailedError, type WorkflowExecutionInfo, type WorkflowHandle } from '@temporalio/client';
import { retrainArgsFromConfig } from '../../app/retrain-input';
import { type RetrainArgs } from '../../contracts/retrain';
import { deleteRetrainSchedule, ensureRetrainSchedule, pauseRetrainSchedule, retrainScheduleId } from '../../app/retrain-schedule';
import { tradingParamsFromConfig } from '../../app/trading-params';
import { loadConfig } from '../../config/load-config';
import { barRange, writeBars } from '../../db/repositories/bars';
import { liveSeries } from '../../domain/markets';
import { getModel } from '../../db/repositories/models';
import { listRetrainEvents } from '../../db/repositories/retrain-events';
import { TASK_QUEUES } from '../../contracts/task-queues';
import { TrainChampionWorkflow } from '../../workflows/train-champion-workflow';
import { TradingBotWorkflow } from '../../workflows/trading-bot-workflow';
import type { RetrainProgress, ScheduledRetrainResult } from '../../contracts/retrain';
import type { BotInput } from '../../contracts/bot';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { waitFor as waitForAny } from '../helpers/wait-for';

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => waitForAny(what, probe, timeoutMs, 200);

jest.setTimeout(240_000);

const SYMBOL = 'BTCUSDT';
const BOT_ID = `bot-${SYMBOL}-paper`;
let runtime: TestRuntime;
let bot: WorkflowHandle;

const config = loadConfig();
const shipped = retrainArgsFromConfig(config);
/** Any trained model passes; a bar "lasts" 1 s, so a stuck shadow gives up after (5 + 10 + 30) s. */
const args: RetrainArgs = {
  ...shipped,
  historyMinutes: shipped.historyMinutes - 60, // other training data than the champion's: a new candidate
  gates: { maxRmseVsBaseline: 100, minDirectionalAccuracy: 0, minValidationSharpe: null, shadowIcMargin: 0.05 },
  barMs: 1_000,
};
const options = { symbol: SYMBOL, botWorkflowId: BOT_ID, everyMinutes: config.training.train_freq_minutes, args };

async function executions(workflowType: string): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const w of runtime.client.workflow.list({ query: `WorkflowType = '${workflowType}'` })) found.push(w);
  return found;
}

beforeAll(async () => {
  runtime = await startTestRuntime({ trainingSlots: 1 });
  const { db } = runtime.database;
  await writeBars(db, liveSeries(SYMBOL), loadShippedBars().slice(0, 4_320), 'test:shipped', { replace: false });
  const champion = await runtime.client.workflow.execute(TrainChampionWorkflow, {
    workflowId: `train-champion-${SYMBOL}`,
    taskQueue: TASK_QUEUES.trading,
    args: [{ symbol: SYMBOL, training: shipped.training, historyMinutes: shipped.historyMinutes }],
  });
  const botInput: BotInput = {
    symbol: SYMBOL,
    mode: 'paper',
    exchange: { kind: 'local', baseUrl: 'http://127.0.0.1:9' }, // never called in paper mode
    trading: tradingParamsFromConfig(config),
    historyMinutes: shipped.historyMinutes,
    championVersion: champion.version,
    startAfter: (await barRange(db, liveSeries(SYMBOL)))!.last,
    barWaitMs: 2_000,
    staleAfterBars: 2,
    heartbeatTimeoutMs: 5_000,
    barsPerRun: 500,
  };
  bot = await runtime.client.workflow.start(TradingBotWorkflow, { workflowId: BOT_ID, taskQueue: TASK_QUEUES.trading, args: [botInput] });
});

afterAll(async () => {
  await deleteRetrainSchedule(runtime.client, SYMBOL).catch(() => undefined);
  await bot?.terminate('test over').catch(() => undefined);
  await runtime?.stop();
});

test('ensureRetrainSchedule creates the schedule, and a second call updates it in place', async () => {
  const handle = await ensureRetrainSchedule(runtime.client, options);
  expect(handle.scheduleId).toBe(retrainScheduleId(SYMBOL));
  let described = await handle.describe();
  expect(described.spec.intervals).toMatchObject([{ every: 15 * 60_000 }]);
  expect(described.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: 60_000 });
  expect(described.state.paused).toBe(false);
  expect(described.action).toMatchObject({ workflowType: 'ScheduledRetrainWorkflow', taskQueue: 'trading' });
  expect(described.action.args?.[0]).toMatchObject({ symbol: SYMBOL, reason: 'scheduled', botWorkflowId: BOT_ID });

  // A demo replaying the market 60x retrains every 15 s instead of every 15 min.
  await ensureRetrainSchedule(runtime.client, { ...options, speed: 60 });
  described = await handle.describe();
  expect(described.spec.intervals).toMatchObject([{ every: 15_000 }]);
  // Back to the real pace for the rest of the file, so that no scheduled action interferes.
  await ensureRetrainSchedule(runtime.client, options);
});

test('while a scheduled retrain runs, the next action waits for it, one more is dropped, and a forced launch waits for retrain-<SYMBOL>', async () => {
  const schedule = runtime.client.schedule.getHandle(retrainScheduleId(SYMBOL));
  const retrain = runtime.client.workflow.getHandle(`retrain-${SYMBOL}`);
  // A trigger takes the policy it is given (default ALLOW_ALL); the schedule's own makes it act like a scheduled tick.
  await schedule.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  const shadowing = await waitFor('the scheduled retrain to shadow its candidate', async () => {
    const progress = await retrain.query<RetrainProgress>('progress').catch(() => null);
    return progress?.phase === 'shadow' ? progress : undefined;
  });
  const first = await retrain.describe();
  const launcher = (await executions('ScheduledRetrainWorkflow'))[0]!;

  // The next tick waits for the running retrain; the one after it finds the buffer full and is dropped.
  const before = (await schedule.describe()).info;
  await schedule.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  await schedule.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  await waitFor('the overlap skip', async () =>
    (await schedule.describe()).info.numActionsSkippedOverlap === before.numActionsSkippedOverlap + 1 ? true : undefined,
  );
  expect((await schedule.describe()).info.numActionsTaken).toBe(before.numActionsTaken);

  // The trigger's default policy (ALLOW_ALL) launches anyway; the per-symbol id stops the twin retrain, and the
  // launch waits for the running one. The Schedule suffixes launch ids with the action time in seconds: a later
  // second gives this launch its own id.
  await new Promise((r) => setTimeout(r, 1_100));
  await schedule.trigger();
  const forced = await waitFor('the forced launch to wait', async () => {
    const waiting = (await executions('ScheduledRetrainWorkflow')).find((w) => w.runId !== launcher.runId && w.status.name === 'RUNNING');
    return waiting &&
      (await runtime.client.workflow.getHandle(waiting.workflowId, waiting.runId).fetchHistory()).events?.some(
        (e) => e.startChildWorkflowExecutionFailedEventAttributes,
      )
      ? waiting
      : undefined;
  });
  expect((await executions('RetrainWorkflow')).map((w) => w.workflowId)).toEqual([`retrain-${SYMBOL}`]);
  expect((await retrain.query<RetrainProgress>('progress')).phase).toBe('shadow');

  // Cancelling the launch cancels its retrain (parent close policy), which rejects the candidate, ends the shadow
  // and records the failure.
  await runtime.client.workflow.getHandle(launcher.workflowId, launcher.runId).cancel();
  await expect(runtime.client.workflow.getHandle(`retrain-${SYMBOL}`, first.runId).result()).rejects.toThrow(WorkflowFailedError);
  expect((await getModel(runtime.database.db, shadowing.version!))?.status).toBe('rejected');

  // Then the waiting launches retrain, one after the other: the same window gives the same, now rejected, model, so
  // each ends without a shadow.
  const events = await waitFor('the waiting launches to retrain', async () => {
    const all = await listRetrainEvents(runtime.database.db, SYMBOL);
    return all.length === 3 && all.every((e) => e.outcome !== 'running') ? all : undefined;
  });
  expect(events.filter((e) => e.outcome === 'failed')).toMatchObject([
    { reason: 'scheduled', modelVersion: shadowing.version, metrics: { error: 'cancelled' } },
  ]);
  expect(events.filter((e) => e.outcome === 'rejected')).toMatchObject([
    { reason: 'scheduled', modelVersion: shadowing.version },
    { reason: 'scheduled', modelVersion: shadowing.version },
  ]);
  const forcedResult = (await runtime.client.workflow.getHandle(forced.workflowId, forced.runId).result()) as ScheduledRetrainResult;
  expect(forcedResult).toMatchObject({ started: true, result: { outcome: 'rejected' } });
  // Taken: the forced launch and the waiting action.
  expect((await schedule.describe()).info.numActionsTaken).toBe(before.numActionsTaken + 2);
  const signals: string[] = [];
  for (const e of (await bot.fetchHistory()).events ?? []) {
    const name = e.workflowExecutionSignaledEventAttributes?.signalName;
    if (name) signals.push(name);
  }
  expect(signals).toEqual(['startShadow', 'endShadow']);
});

test('pause stops the schedule with a note; delete removes it; both report a missing schedule', async () => {
  const handle = runtime.client.schedule.getHandle(retrainScheduleId(SYMBOL));
  expect(await pauseRetrainSchedule(runtime.client, SYMBOL, 'maintenance')).toBe(true);
  expect((await handle.describe()).state).toMatchObject({ paused: true, note: 'maintenance' });
  // Re-ensuring (e.g. the next npm start) keeps an operator's pause.
  await ensureRetrainSchedule(runtime.client, options);
  expect((await handle.describe()).state).toMatchObject({ paused: true, note: 'maintenance' });

  expect(await deleteRetrainSchedule(runtime.client, SYMBOL)).toBe(true);
  await expect(handle.describe()).rejects.toThrow(ScheduleNotFoundError);
  expect(await deleteRetrainSchedule(runtime.client, SYMBOL)).toBe(false);
  expect(await pauseRetrainSchedule(runtime.client, SYMBOL)).toBe(false);
});
