/**
 * RetrainWorkflow on the time-skipping test server (contracts/retrain.ts), with mocked activities: a training that
 * returns a candidate passing the gates, a registry in memory, and a shadow whose progress the test scripts. The
 * bot is a real TradingBotWorkflow without bars, so startShadow / setChampion / endShadow reach a running bot and
 * show in its status. Its bar wait fails at once (benignly, not logged) and is retried: the test server skips time
 * only while no activity runs, so a bot blocked in a bar wait would stop the clock, one in retry backoff does not.
 * Covered: shadow polling once per bar until enough predictions with known returns, then scoring and the
 * promotion the bot applies (the registry confirms it); the shadow deadline (no predictions: outcome failed after
 * shadowBars + horizon + SHADOW_GRACE_BARS = 45 bars, 45 minutes of workflow time in a few seconds); cancellation
 * during the shadow (candidate rejected, the bot told endShadow, the event recorded as failed).
 */
import { CancelledFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { botWorkflowId, statusQuery, type BotStatus } from '../../contracts/bot';
import {
  retrainProgressQuery,
  type FinishRetrainEventInput,
  type RetrainInput,
  type ScoreShadowInput,
  type ShadowProgress,
  type ShadowProgressInput,
} from '../../contracts/retrain';
import { TASK_QUEUES } from '../../contracts/task-queues';
import type { TrainedModel } from '../../contracts/training';
import { RetrainWorkflow, TradingBotWorkflow } from '../../workflows';
import { SHADOW_GRACE_BARS } from '../../workflows/retrain-workflow';
import { startTimeSkippingEnv, type MockActivities, type TimeSkippingEnv } from '../helpers/time-skipping-env';
import { waitFor } from '../helpers/wait-for';
import { botInput, MINUTE, START_AFTER, TRADING } from './fixtures/bot-input';

const SYMBOL = 'BTCUSDT';
const BOT_ID = botWorkflowId(SYMBOL, 'paper');
const CHAMPION = 'model-v1';
const CANDIDATE = 'model-v2';
const SHADOW_BARS = 5;
const HORIZON = 10;
/** The candidate's training end: the first bar the shadow may count. */
const TRAIN_END = START_AFTER + MINUTE;

const retrainInput: RetrainInput = {
  symbol: SYMBOL,
  reason: 'drift',
  detail: { feature: 'std60', psi: 0.31 },
  botWorkflowId: BOT_ID,
  training: { windowMinutes: 120, horizon: HORIZON, validationFraction: 0.2, lightgbm: { num_iterations: 50 }, trading: TRADING },
  historyMinutes: 180,
  shadowBars: SHADOW_BARS,
  horizon: HORIZON,
  gates: { maxRmseVsBaseline: 1.01, minDirectionalAccuracy: 0.5, minValidationSharpe: null, shadowIcMargin: 0.05 },
};

const trained: TrainedModel = {
  version: CANDIDATE,
  trainStart: TRAIN_END - 120 * MINUTE,
  trainEnd: TRAIN_END,
  validation: { rmse: 0.99, baselineRmse: 1, directionalAccuracy: 0.53, ic: 0.04, sharpe: 0.8, bestIteration: 40, nTrain: 96, nValid: 24 },
  reused: false,
  trainMs: 12,
};

const NO_PROGRESS: ShadowProgress = { predictions: 0, firstBar: null, lastBar: null, realised: 0 };

/**
 * The activities of one retrain: a registry in memory (statuses, the champion), the retrain event, the training,
 * the scripted shadow, and the bot's bar wait: no bar ever comes (a benign, retried failure), except while a
 * promotion is on its way, when the wait returns empty so the bot's loop reaches the swap.
 */
function scenario(shadow: (poll: number) => ShadowProgress, verdict: 'promote' | 'reject' = 'reject') {
  const state = {
    champion: CHAMPION as string,
    statusCalls: [] as { version: string; status: string }[],
    polls: [] as ShadowProgressInput[],
    scored: [] as ScoreShadowInput[],
    finished: [] as FinishRetrainEventInput[],
  };
  const promoting = () => state.scored.length > 0 && verdict === 'promote' && state.champion !== CANDIDATE;
  const mocks: MockActivities = {
    trading: {
      awaitBar: () =>
        promoting()
          ? Promise.resolve({ bar: null, prediction: null, challengerPrediction: null, barsBehind: 0, handedAt: null })
          : Promise.reject(ApplicationFailure.create({ message: 'no bars in this test', type: 'NoBarYet', category: ApplicationFailureCategory.BENIGN })),
      recordBar: () => Promise.resolve(),
      championOf: () => Promise.resolve(state.champion),
      setModelStatus: (input) => {
        state.statusCalls.push(input);
        if (input.status === 'champion') state.champion = input.version;
        return Promise.resolve();
      },
      recordRetrainEvent: () => Promise.resolve(),
      finishRetrainEvent: (input) => {
        state.finished.push(input);
        return Promise.resolve();
      },
      newestWindow: (input) => Promise.resolve({ from: TRAIN_END - input.historyMinutes * MINUTE, trainEnd: TRAIN_END, bars: input.historyMinutes }),
      shadowProgress: (input) => {
        state.polls.push(input);
        return Promise.resolve(shadow(state.polls.length));
      },
      scoreShadow: (input) => {
        state.scored.push(input);
        return Promise.resolve({ champion: null, challenger: null, n: SHADOW_BARS, verdict, reason: `scripted ${verdict}` });
      },
    },
    training: {
      trainModel: () => Promise.resolve(trained),
    },
  };
  return { state, mocks };
}

let ts: TimeSkippingEnv;

beforeAll(async () => {
  ts = await startTimeSkippingEnv();
});
afterAll(async () => {
  await ts?.stop();
});

async function startBot(): Promise<WorkflowHandle<typeof TradingBotWorkflow>> {
  // One bot id per symbol and mode: a bot left by the previous test is replaced.
  await ts.client.workflow
    .getHandle(BOT_ID)
    .terminate('next test')
    .catch(() => undefined);
  return ts.client.workflow.start(TradingBotWorkflow, { workflowId: BOT_ID, taskQueue: TASK_QUEUES.trading, args: [botInput({ symbol: SYMBOL })] });
}

let retrains = 0;
function startRetrain(): Promise<WorkflowHandle<typeof RetrainWorkflow>> {
  retrains += 1;
  return ts.client.workflow.start(RetrainWorkflow, { workflowId: `retrain-test-${retrains}`, taskQueue: TASK_QUEUES.trading, args: [retrainInput] });
}

const botStatus = (bot: WorkflowHandle<typeof TradingBotWorkflow>): Promise<BotStatus> => bot.query(statusQuery);

/** True once the workflow's newest command is a timer that has not fired (no activity in flight). */
async function sleepingOnTimer(handle: WorkflowHandle): Promise<true | undefined> {
  const { EventType } = temporal.api.enums.v1;
  const events = (await handle.fetchHistory()).events ?? [];
  const last = (type: temporal.api.enums.v1.EventType) => events.map((e) => e.eventType).lastIndexOf(type);
  const timer = last(EventType.EVENT_TYPE_TIMER_STARTED);
  return timer > last(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) && timer > last(EventType.EVENT_TYPE_TIMER_FIRED) ? true : undefined;
}

test('the shadow is polled once per bar until enough predictions have known returns; the winner is promoted through the bot', async () => {
  // Poll k: k - 1 challenger predictions recorded so far; returns become known HORIZON bars after each prediction.
  const shadow = (poll: number): ShadowProgress => {
    const predictions = poll - 1;
    const realised = Math.max(0, Math.min(SHADOW_BARS, predictions - HORIZON));
    return {
      predictions,
      firstBar: predictions > 0 ? TRAIN_END : null,
      lastBar: predictions >= SHADOW_BARS ? TRAIN_END + (SHADOW_BARS - 1) * MINUTE : null,
      realised,
    };
  };
  const { state, mocks } = scenario(shadow, 'promote');
  await ts.withWorkers(mocks, async () => {
    const bot = await startBot();
    const retrain = await startRetrain();
    const result = await retrain.result();

    expect(result).toMatchObject({ outcome: 'promoted', version: CANDIDATE, error: null });
    // Enough once SHADOW_BARS + HORIZON predictions exist: that poll and every one before it, a bar apart.
    const polls = SHADOW_BARS + HORIZON + 1;
    expect(state.polls).toHaveLength(polls);
    expect(state.polls[0]).toEqual({ symbol: SYMBOL, challenger: CANDIDATE, from: TRAIN_END, shadowBars: SHADOW_BARS, horizon: HORIZON });
    expect(result.metrics.timingsMs.shadow).toBeGreaterThanOrEqual((polls - 1) * MINUTE);
    expect(result.metrics.timingsMs.shadow).toBeLessThan(polls * MINUTE);
    expect(result.metrics.shadow).toMatchObject({ predictions: polls - 1, realised: SHADOW_BARS, from: TRAIN_END });
    expect(state.scored).toEqual([
      {
        symbol: SYMBOL,
        champion: CHAMPION,
        challenger: CANDIDATE,
        from: TRAIN_END,
        to: TRAIN_END + SHADOW_BARS * MINUTE,
        horizon: HORIZON,
        icMargin: 0.05,
        minBars: SHADOW_BARS,
      },
    ]);
    // The retrain set the shadow status; the bot, told setChampion, set the champion itself and the registry showed it.
    expect(state.statusCalls).toEqual([
      { version: CANDIDATE, status: 'shadow' },
      { version: CANDIDATE, status: 'champion' },
    ]);
    expect(result.metrics.registryConfirmed).toBe(true);
    expect(await botStatus(bot)).toMatchObject({ modelVersion: CANDIDATE, challenger: null });
    expect(state.finished).toEqual([expect.objectContaining({ outcome: 'promoted', modelVersion: CANDIDATE })]);
  });
});

test('without predictions the shadow gives up after shadowBars + horizon + SHADOW_GRACE_BARS bars, in seconds of real time', async () => {
  const { state, mocks } = scenario(() => NO_PROGRESS);
  await ts.withWorkers(mocks, async () => {
    const bot = await startBot();
    const retrain = await startRetrain();
    await waitFor('the bot to shadow the candidate', async () => ((await botStatus(bot)).challenger?.version === CANDIDATE ? true : undefined));
    const serverStart = await ts.env.currentTimeMs();
    const realStart = Date.now();

    const result = await retrain.result();

    const patienceBars = SHADOW_BARS + HORIZON + SHADOW_GRACE_BARS;
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(new RegExp(`^shadow gave up after ${patienceBars} bars: 0 of ${SHADOW_BARS} challenger predictions`));
    // The first poll, then one per bar until the deadline.
    expect(state.polls).toHaveLength(patienceBars + 1);
    expect((await ts.env.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual((patienceBars - 1) * MINUTE);
    expect(Date.now() - realStart).toBeLessThan(15_000);
    expect(state.statusCalls).toEqual([
      { version: CANDIDATE, status: 'shadow' },
      { version: CANDIDATE, status: 'rejected' },
    ]);
    expect(state.scored).toEqual([]);
    expect(state.finished).toEqual([expect.objectContaining({ outcome: 'failed', modelVersion: CANDIDATE })]);
    // The bot was told endShadow: it shadows nothing any more and still trades its champion.
    await waitFor('the bot to end the shadow', async () => ((await botStatus(bot)).challenger === null ? true : undefined));
    expect((await botStatus(bot)).modelVersion).toBe(CHAMPION);
  });
});

test('cancelling during the shadow rejects the candidate, tells the bot endShadow and records the retrain as failed', async () => {
  const { state, mocks } = scenario(() => NO_PROGRESS);
  await ts.withWorkers(mocks, async () => {
    const bot = await startBot();
    const retrain = await startRetrain();
    await waitFor('the retrain to reach the shadow', async () => ((await retrain.query(retrainProgressQuery)).phase === 'shadow' ? true : undefined));
    await waitFor('the bot to shadow the candidate', async () => ((await botStatus(bot)).challenger?.version === CANDIDATE ? true : undefined));
    // Cancel while it sleeps between two polls: the test server refuses (ACTIVITY_UNKNOWN) the cancellation of an
    // activity whose completion it has just recorded, a race the real server handles.
    await waitFor('the retrain to sleep until the next poll', () => sleepingOnTimer(retrain));

    await retrain.cancel();
    const failure = await retrain.result().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);

    expect(state.statusCalls).toEqual([
      { version: CANDIDATE, status: 'shadow' },
      { version: CANDIDATE, status: 'rejected' },
    ]);
    expect(state.finished).toEqual([expect.objectContaining({ outcome: 'failed', error: 'cancelled', modelVersion: CANDIDATE })]);
    await waitFor('the bot to end the shadow', async () => ((await botStatus(bot)).challenger === null ? true : undefined));
  });
});
