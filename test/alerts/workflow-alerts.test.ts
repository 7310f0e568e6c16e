/**
 * The alerts the workflows send, on the time-skipping test server with mocked activities: RetrainWorkflow's
 * trigger and outcome alerts, an alert activity that keeps failing (bounded attempts, the workflow unaffected),
 * and MarketDataWorkflow's outage watch (one alert per outage, then restored). The exchange is down: streamBars
 * fails at once and Temporal retries it with backoff (the test server skips time only while no activity runs);
 * the watch runs on the trading worker beside it.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { ALERT_KINDS, type AlertEvent, type AlertEventOf, type AlertSettings, type SendAlertResult } from '../../contracts/alerts';
import { marketDataStatusQuery, stopMarketDataSignal } from '../../contracts/market-data';
import type { RetrainInput } from '../../contracts/retrain';
import { TASK_QUEUES } from '../../contracts/task-queues';
import type { TrainedModel } from '../../contracts/training';
import { MarketDataWorkflow, RetrainWorkflow } from '../../workflows';
import { startTimeSkippingEnv, type MockActivities, type TimeSkippingEnv } from '../helpers/time-skipping-env';
import { waitFor } from '../helpers/wait-for';
import type { BackgroundAlertsWorkflow } from './fixtures/alert-workflows';
import { MINUTE, START_AFTER, TRADING } from '../workflows/fixtures/bot-input';

let ts: TimeSkippingEnv;
beforeAll(async () => {
  ts = await startTimeSkippingEnv();
});
afterAll(async () => {
  await ts?.stop();
});

const ON: AlertSettings = { enabled: true, kinds: ALERT_KINDS, minUnreachableMinutes: 5 };

function recorder() {
  const sent: AlertEvent[] = [];
  const sendAlert = (event: AlertEvent): Promise<SendAlertResult> => {
    sent.push(event);
    return Promise.resolve({ key: event.key, status: 'delivered', targets: [] });
  };
  return { sent, sendAlert };
}

const retrainInput = (over: Partial<RetrainInput> = {}): RetrainInput => ({
  symbol: 'BTCUSDT',
  reason: 'drift',
  detail: { feature: 'std60', psi: 0.31 },
  botWorkflowId: 'bot-BTCUSDT-paper',
  training: { windowMinutes: 120, horizon: 10, validationFraction: 0.2, lightgbm: { num_iterations: 50 }, trading: TRADING },
  historyMinutes: 180,
  shadowBars: 5,
  horizon: 10,
  gates: { maxRmseVsBaseline: 1.01, minDirectionalAccuracy: 0.5, minValidationSharpe: null, shadowIcMargin: 0.05 },
  ...over,
});

const model = (directionalAccuracy: number): TrainedModel => ({
  version: 'model-v2',
  trainStart: START_AFTER - 120 * MINUTE,
  trainEnd: START_AFTER,
  validation: { rmse: 0.99, baselineRmse: 1, directionalAccuracy, ic: 0.04, sharpe: 0.8, bestIteration: 40, nTrain: 96, nValid: 24 },
  reused: false,
  trainMs: 12,
});

function retrainMocks(sendAlert: MockActivities['trading'] extends infer T ? (T extends { sendAlert?: infer S } ? S : never) : never, accuracy = 0.53) {
  return {
    trading: {
      sendAlert,
      recordRetrainEvent: () => Promise.resolve(),
      finishRetrainEvent: () => Promise.resolve(),
      newestWindow: () => Promise.resolve({ from: START_AFTER - 180 * MINUTE, trainEnd: START_AFTER, bars: 180 }),
      championOf: () => Promise.resolve(null),
      setModelStatus: () => Promise.resolve(),
    },
    training: { trainModel: () => Promise.resolve(model(accuracy)) },
  } satisfies MockActivities;
}

/** A market-data worker whose exchange is unreachable: every streamBars attempt fails (retried without limit). */
async function withDownExchange<T>(body: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: ts.env.nativeConnection,
    taskQueue: TASK_QUEUES.marketData,
    // Benign: expected here, so the worker does not log every attempt.
    activities: {
      streamBars: () =>
        Promise.reject(ApplicationFailure.create({ message: 'exchange unreachable', type: 'NetworkError', category: ApplicationFailureCategory.BENIGN })),
    },
  });
  const running = worker.run();
  try {
    return await body();
  } finally {
    worker.shutdown();
    await running;
  }
}

let runs = 0;
async function retrain(mocks: MockActivities, input: RetrainInput) {
  const workflowId = `retrain-alerts-${++runs}`;
  return ts.withWorkers(mocks, async () => {
    const handle = await ts.client.workflow.start(RetrainWorkflow, { workflowId, taskQueue: TASK_QUEUES.trading, args: [input] });
    const result = await handle.result();
    return { workflowId, runId: handle.firstExecutionRunId, result };
  });
}

test('a drift retrain alerts its trigger, then its outcome with the reason, keyed by the retrain event', async () => {
  const { sent, sendAlert } = recorder();
  const gated = await retrain(retrainMocks(sendAlert, 0.4), retrainInput());
  expect(gated.result.outcome).toBe('gated');
  expect(sent).toEqual([
    expect.objectContaining({
      kind: 'retrain_triggered',
      key: `${gated.workflowId}:retrain_triggered:${gated.runId}`,
      reason: 'drift',
      feature: 'std60',
      psi: 0.31,
    }),
    expect.objectContaining({
      kind: 'retrain_rejected',
      key: `${gated.workflowId}:retrain_rejected:${gated.runId}`,
      outcome: 'gated',
      version: 'model-v2',
      why: expect.stringMatching(/^validation gates failed: directional accuracy 0\.4 < 0\.5/),
    }),
  ]);

  sent.length = 0;
  const promoted = await retrain(retrainMocks(sendAlert), retrainInput({ reason: 'scheduled', detail: undefined }));
  expect(promoted.result.outcome).toBe('promoted');
  // A scheduled retrain has no trigger to report.
  expect(sent).toEqual([expect.objectContaining({ kind: 'retrain_promoted', reason: 'scheduled', version: 'model-v2', previousChampion: null })]);
});

test('an alert that cannot be delivered is retried a bounded number of times and never fails the workflow', async () => {
  let attempts = 0;
  const failing = () => {
    attempts += 1;
    return Promise.reject(ApplicationFailure.create({ message: 'receiver down', type: 'AlertNotDelivered', category: ApplicationFailureCategory.BENIGN }));
  };
  const { result } = await retrain(retrainMocks(failing), retrainInput({ reason: 'performance', detail: { sharpe: -1.2 } }));
  expect(result.outcome).toBe('promoted');
  expect(attempts).toBe(2 * 3); // two alerts (trigger, outcome), three attempts each
});

/** Runs MarketDataWorkflow against the down exchange; a run left by a failed assertion is terminated (it would stop the clock). */
async function withMarketData(mocks: MockActivities, workflowId: string, body: (handle: WorkflowHandle<typeof MarketDataWorkflow>) => Promise<void>) {
  await ts.withWorkers(mocks, () =>
    withDownExchange(async () => {
      const handle = await ts.client.workflow.start(MarketDataWorkflow, {
        workflowId,
        taskQueue: TASK_QUEUES.trading,
        args: [{ symbol: 'BTCUSDT', exchange: { kind: 'binance' }, historyHours: 1 }],
      });
      try {
        await body(handle);
      } finally {
        await handle.terminate('test over').catch(() => undefined);
      }
    }),
  );
}

test('MarketDataWorkflow alerts once when no new bar is stored for min_unreachable_minutes, and again when bars are back', async () => {
  const { sent, sendAlert } = recorder();
  let last = START_AFTER;
  let polls = 0;
  const mocks: MockActivities = {
    trading: {
      sendAlert,
      alertSettings: () => Promise.resolve(ON),
      storedBarRange: () => {
        polls += 1;
        return Promise.resolve({ first: START_AFTER - 60 * MINUTE, last, count: 61 });
      },
    },
  };
  await withMarketData(mocks, 'market-data-alerts', async (handle) => {
    await waitFor('the first poll', () => Promise.resolve(polls > 0 ? true : undefined), 20_000);
    await ts.env.sleep(11 * MINUTE); // polls every 2.5 min: down at the poll 5 min in, then nothing more
    expect(sent.map((e) => e.kind)).toEqual(['market_data_unreachable']);
    const down = sent[0] as AlertEventOf<'market_data_unreachable'>;
    expect(down).toMatchObject({ symbol: 'BTCUSDT', lastBarOpenTime: START_AFTER, key: `market-data-alerts:market_data_unreachable:${down.since}` });
    expect(down.minutes).toBeCloseTo(5, 1);
    last += 12 * MINUTE;
    await ts.env.sleep(3 * MINUTE);
    expect(sent.map((e) => e.kind)).toEqual(['market_data_unreachable', 'market_data_restored']);
    const up = sent[1] as AlertEventOf<'market_data_restored'>;
    expect(up).toMatchObject({ lastBarOpenTime: last, since: down.since, key: `market-data-alerts:market_data_restored:${down.since}` });
    expect(up.minutes).toBeCloseTo(12.5, 1);

    await handle.signal(stopMarketDataSignal);
    expect(await handle.result()).toMatchObject({ stopRequested: true, sessionsCompleted: 0 });
    expect(await handle.query(marketDataStatusQuery)).toMatchObject({ stopRequested: true });
  });
});

test('with those alerts off, MarketDataWorkflow does not watch at all', async () => {
  let polls = 0;
  const mocks: MockActivities = {
    trading: {
      alertSettings: () => Promise.resolve({ enabled: true, kinds: ['kill_switch'], minUnreachableMinutes: 5 }),
      storedBarRange: () => {
        polls += 1;
        return Promise.resolve(null);
      },
    },
  };
  await withMarketData(mocks, 'market-data-no-alerts', async (handle) => {
    await ts.env.sleep(30 * MINUTE);
    await handle.signal(stopMarketDataSignal);
    await handle.result();
  });
  expect(polls).toBe(0);
});

test('backgroundAlerter does not hold the workflow up, skips kinds that are off, and settled() waits for the rest', async () => {
  const sent: string[] = [];
  const mocks: MockActivities = {
    trading: {
      alertSettings: () => Promise.resolve({ enabled: true, kinds: ['test'], minUnreachableMinutes: 5 }),
      sendAlert: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        sent.push(event.key);
        return { key: event.key, status: 'delivered', targets: [] };
      },
    },
  };
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/alert-workflows'),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
  });
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue: 'alerts-test', workflowBundle: bundle });
  const running = worker.run();
  try {
    await ts.withWorkers(mocks, async () => {
      const result = await ts.client.workflow.execute<typeof BackgroundAlertsWorkflow>('BackgroundAlertsWorkflow', {
        workflowId: 'background-alerts',
        taskQueue: 'alerts-test',
      });
      expect(result).toBe('done');
    });
  } finally {
    worker.shutdown();
    await running;
  }
  expect(sent.sort()).toEqual(['background-alerts:test:1', 'background-alerts:test:3']);
});
