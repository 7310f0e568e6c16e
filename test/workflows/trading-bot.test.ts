/**
 * TradingBotWorkflow on the time-skipping test server, through its contract (contracts/bot.ts) only, with mocked
 * activities: `awaitBar` hands bars of a small synthetic series from memory, each with the prediction the test
 * chose, and blocks while the test has not released the next bar (a bar wait); `recordBar` keeps what it was told.
 * Covered: operator commands (the `operate` update and the signals) during a bar wait; continue-as-new after
 * barsPerRun carrying the trader (counters, equity, open position) and a champion swap signalled at the run's last
 * bar; setChampion applied at the next bar with the position kept; a refused swap; startShadow / endShadow in
 * status.challenger; input validation (InvalidBotInput).
 */
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  endShadowSignal,
  flattenSignal,
  operateUpdate,
  resumeSignal,
  setChampionSignal,
  startShadowSignal,
  statusQuery,
  stopSignal,
  type AwaitBarInput,
  type BarArrival,
  type BotInput,
  type BotStatus,
  type RecordBarInput,
} from '../../contracts/bot';
import { TASK_QUEUES } from '../../contracts/task-queues';
import { ALERT_KINDS, type AlertEvent } from '../../contracts/alerts';
import type { Bar } from '../../domain/bars';
import { TradingBotWorkflow } from '../../workflows';
import { startTimeSkippingEnv, type TimeSkippingEnv, type TradingQueueActivities } from '../helpers/time-skipping-env';
import { waitFor } from '../helpers/wait-for';
import { barTime, botInput, START_AFTER, TRADING } from './fixtures/bot-input';

/** Bars 1..count: a slow drift upwards with a narrow range, so neither the stop-loss nor the take-profit triggers. */
function syntheticBars(count: number): Bar[] {
  return Array.from({ length: count }, (_, i) => {
    const open = 100 + i * 0.01;
    const close = open + 0.01;
    return { openTime: barTime(i + 1), open, high: close + 0.02, low: open - 0.02, close, volume: 5 + (i % 3) };
  });
}

const LONG = 0.002; // above the entry threshold
const FLAT = 0; // no signal

/**
 * The bar source behind the mocked awaitBar: bars become available when the test releases them (with a
 * prediction each); until then a wait for the next one blocks, like the real activity: "no bar yet" after
 * barWaitMs, or at once when cancelled (a worker shutting down).
 */
class BarFeed {
  private released = 0;
  private readonly predictions = new Map<number, number>();
  private readonly wakeUps = new Set<() => void>();
  private waiting: number | null = null;
  /** Every awaitBar call, with the run that made it. */
  readonly waits: { input: AwaitBarInput; runId: string }[] = [];
  readonly records: RecordBarInput[] = [];
  /** The challenger's prediction handed with each bar while one is in shadow mode. */
  challengerPrediction = 0.0001;
  /** Funding settled in a bar's minute, handed to a paper bot (which asks with fundingFrom). */
  readonly funding = new Map<number, number>();

  constructor(private readonly bars: readonly Bar[]) {}

  /** Makes the next `count` bars available, each predicted `prediction`. */
  release(count: number, prediction: number): void {
    for (let i = 0; i < count; i++) this.predictions.set(this.bars[this.released + i]!.openTime, prediction);
    this.released += count;
    this.notify();
  }

  /** Resolves once the bot blocks waiting for the bar opening at `openTime` (every bar before it handled). */
  waitingFor(openTime: number): Promise<void> {
    const what = `the bot waiting for bar ${new Date(openTime).toISOString()}`;
    return waitFor(what, () => Promise.resolve(this.waiting === openTime ? true : undefined), 10_000, 10).then(() => undefined);
  }

  private notify(): void {
    for (const wake of this.wakeUps) wake();
  }

  private availableBar(openTime: number): Bar | undefined {
    const bar = this.bars.find((b) => b.openTime === openTime);
    return bar && this.bars.indexOf(bar) < this.released ? bar : undefined;
  }

  readonly activities: Pick<TradingQueueActivities, 'awaitBar' | 'recordBar'> = {
    awaitBar: async (input: AwaitBarInput): Promise<BarArrival> => {
      const ctx = Context.current();
      this.waits.push({ input, runId: ctx.info.workflowExecution?.runId ?? 'none' });
      let bar = this.availableBar(input.openTime);
      if (!bar) {
        this.waiting = input.openTime;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.wakeUps.delete(wake);
            ctx.cancellationSignal.removeEventListener('abort', done);
            resolve();
          };
          const wake = () => {
            if (this.availableBar(input.openTime)) done();
          };
          const timer = setTimeout(done, input.waitMs);
          this.wakeUps.add(wake);
          ctx.cancellationSignal.addEventListener('abort', done);
        });
        if (this.waiting === input.openTime) this.waiting = null;
        bar = this.availableBar(input.openTime);
      }
      if (!bar) return { bar: null, prediction: null, challengerPrediction: null, barsBehind: 0, handedAt: null };
      return {
        bar,
        prediction: this.predictions.get(bar.openTime) ?? null,
        challengerPrediction: input.challengerVersion ? this.challengerPrediction : null,
        barsBehind: 0,
        handedAt: null,
        ...(input.fundingFrom ? { funding: this.funding.has(bar.openTime) ? { time: bar.openTime, rate: this.funding.get(bar.openTime)! } : null } : {}),
      };
    },
    recordBar: (input: RecordBarInput): Promise<void> => {
      this.records.push(input);
      return Promise.resolve();
    },
  };

  recordOf(openTime: number): RecordBarInput {
    const record = this.records.find((r) => r.bar.openTime === openTime);
    if (!record) throw new Error(`bar ${new Date(openTime).toISOString()} was not recorded`);
    return record;
  }
}

/** The registry mock: remembers every status change; a version starting with "bad" is refused like an unknown one. */
function registry() {
  const calls: { version: string; status: string }[] = [];
  const activities: Pick<TradingQueueActivities, 'setModelStatus'> = {
    setModelStatus(input) {
      calls.push(input);
      if (input.version.startsWith('bad')) return Promise.reject(ApplicationFailure.nonRetryable(`Model ${input.version} is not in the registry`, 'BadInput'));
      return Promise.resolve();
    },
  };
  return { calls, activities };
}

let ts: TimeSkippingEnv;
let seq = 0;

beforeAll(async () => {
  ts = await startTimeSkippingEnv();
});
afterAll(async () => {
  await ts?.stop();
});

async function startBot(input: BotInput): Promise<WorkflowHandleWithFirstExecutionRunId<typeof TradingBotWorkflow>> {
  seq += 1;
  return ts.client.workflow.start(TradingBotWorkflow, { workflowId: `bot-test-${seq}`, taskQueue: TASK_QUEUES.trading, args: [input] });
}

const status = (handle: WorkflowHandle<typeof TradingBotWorkflow>): Promise<BotStatus> => handle.query(statusQuery);
/** The status once a signal just sent has been handled (a signal is delivered in a workflow task of its own). */
const statusWhen = (handle: WorkflowHandle<typeof TradingBotWorkflow>, what: string, ok: (s: BotStatus) => boolean): Promise<BotStatus> =>
  waitFor(
    what,
    async () => {
      const s = await status(handle);
      return ok(s) ? s : undefined;
    },
    10_000,
    20,
  );

test('operator commands arriving during a bar wait act on the next bar: pause, resume, flatten, stop', async () => {
  const feed = new BarFeed(syntheticBars(10));
  await ts.withWorkers({ trading: feed.activities }, async () => {
    const bot = await startBot(botInput());
    feed.release(2, FLAT);
    await feed.waitingFor(barTime(3));

    // Update: applied at once, answered with the new status, while the bot still waits for bar 3.
    const paused = await bot.executeUpdate(operateUpdate, { args: ['pause'] });
    expect(paused).toMatchObject({ paused: true, barsProcessed: 2, position: null });
    await expect(bot.executeUpdate(operateUpdate, { args: ['jump' as 'pause'] })).rejects.toThrow(WorkflowUpdateFailedError);

    feed.release(1, LONG); // bar 3: a long signal, but paused
    await feed.waitingFor(barTime(4));
    expect(feed.recordOf(barTime(3))).toMatchObject({ action: 'hold', reason: 'paused' });

    await bot.signal(resumeSignal);
    feed.release(1, LONG); // bar 4: the entry is decided at its close ...
    await feed.waitingFor(barTime(5));
    expect(feed.recordOf(barTime(4))).toMatchObject({ action: 'open_long', reason: 'model' });
    expect(await status(bot)).toMatchObject({ paused: false, pending: 'OPEN_LONG', position: null });
    feed.release(1, FLAT); // ... and fills at the open of bar 5
    await feed.waitingFor(barTime(6));
    const open = await status(bot);
    expect(open.position).toMatchObject({ side: 'LONG', entryTime: barTime(5), modelVersion: 'model-v1' });

    await bot.signal(flattenSignal);
    await statusWhen(bot, 'the flatten to be pending', (s) => s.pending === 'CLOSE (flatten)');
    feed.release(1, FLAT); // bar 6: the close fills at its open
    await feed.waitingFor(barTime(7));
    expect(await status(bot)).toMatchObject({ position: null, tradesClosed: 1, barsProcessed: 6 });

    // Stop during the wait for bar 7: the bot does not sit out the wait and returns its final status.
    await bot.signal(stopSignal);
    const final = await bot.result();
    expect(final).toMatchObject({ stopping: true, barsProcessed: 6, tradesClosed: 1, position: null });
    expect(feed.records.map((r) => r.bar.openTime)).toEqual([1, 2, 3, 4, 5, 6].map(barTime));
  });
});

test('continue-as-new after barsPerRun carries the trader and a champion swap signalled at the run boundary', async () => {
  const feed = new BarFeed(syntheticBars(25));
  const reg = registry();
  await ts.withWorkers({ trading: { ...feed.activities, ...reg.activities } }, async () => {
    const bot = await startBot(botInput({ barsPerRun: 10, maxBars: 25 }));
    feed.release(1, LONG); // entry decided at bar 1, filled at bar 2
    feed.release(8, FLAT);
    await feed.waitingFor(barTime(10)); // the last bar of the first run
    await bot.signal(setChampionSignal, 'model-v2');
    feed.release(6, FLAT); // bars 10 to 15
    await feed.waitingFor(barTime(16));

    const mid = await status(bot);
    expect(mid).toMatchObject({ barsProcessed: 15, modelVersion: 'model-v2', tradesClosed: 0 });
    // The position opened in the first run is still the same one, and its equity is marked at the last close.
    expect(mid.position).toMatchObject({ side: 'LONG', entryTime: barTime(2), modelVersion: 'model-v1' });
    const last = feed.recordOf(barTime(15)).trader;
    expect(mid.equity).toBeCloseTo(last.lastEquity, 9);
    expect(mid.equity).not.toBeCloseTo(TRADING.startingCapital, 2);
    const described = await bot.describe();
    expect(described.runId).not.toBe(bot.firstExecutionRunId);

    // The swap was applied once, between bar 10 (still the old model) and bar 11 (the new one, in the new run).
    expect(reg.calls).toEqual([{ version: 'model-v2', status: 'champion' }]);
    expect(feed.recordOf(barTime(10)).modelVersion).toBe('model-v1');
    expect(feed.recordOf(barTime(11)).modelVersion).toBe('model-v2');

    feed.release(10, FLAT);
    const final = await bot.result();
    expect(final).toMatchObject({ barsProcessed: 25, modelVersion: 'model-v2', position: { side: 'LONG', entryTime: barTime(2) } });
    // Three runs (10 + 10 + 5 bars), each bar handled exactly once, in order.
    const runOf = (n: number) => feed.waits.find((w) => w.input.openTime === barTime(n))!.runId;
    expect(new Set(feed.waits.map((w) => w.runId)).size).toBe(3);
    expect(runOf(10)).toBe(runOf(1));
    expect(runOf(11)).not.toBe(runOf(10));
    expect(runOf(21)).not.toBe(runOf(20));
    expect(feed.records.map((r) => r.bar.openTime)).toEqual(Array.from({ length: 25 }, (_, i) => barTime(i + 1)));
    expect(feed.records.map((r) => r.trader.counters.bars)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
});

test('setChampion is applied at the next bar and keeps the open position; a refused swap keeps the champion', async () => {
  const feed = new BarFeed(syntheticBars(8));
  const reg = registry();
  await ts.withWorkers({ trading: { ...feed.activities, ...reg.activities } }, async () => {
    const bot = await startBot(botInput());
    feed.release(1, LONG);
    feed.release(2, FLAT);
    await feed.waitingFor(barTime(4));
    expect((await status(bot)).position).toMatchObject({ side: 'LONG', modelVersion: 'model-v1' });

    await bot.signal(setChampionSignal, 'model-v2');
    // Not in the middle of the bar: until the next bar is handled, the champion stays.
    expect((await status(bot)).modelVersion).toBe('model-v1');
    expect(reg.calls).toEqual([]);
    feed.release(1, FLAT); // bar 4, still decided by model-v1; the swap follows it
    await feed.waitingFor(barTime(5));
    expect(reg.calls).toEqual([{ version: 'model-v2', status: 'champion' }]);
    const swapped = await status(bot);
    expect(swapped.modelVersion).toBe('model-v2');
    expect(swapped.position).toMatchObject({ side: 'LONG', entryTime: barTime(2), modelVersion: 'model-v1' });
    expect(feed.recordOf(barTime(4)).modelVersion).toBe('model-v1');
    expect(feed.waits.at(-1)!.input.modelVersion).toBe('model-v2');

    await bot.signal(setChampionSignal, 'bad-version');
    feed.release(1, FLAT);
    await feed.waitingFor(barTime(6));
    expect(reg.calls.map((c) => c.version)).toEqual(['model-v2', 'bad-version']);
    expect(await status(bot)).toMatchObject({ modelVersion: 'model-v2', position: { side: 'LONG' } });

    const final = await bot.executeUpdate(operateUpdate, { args: ['stop'] });
    expect(final.stopping).toBe(true);
    expect(await bot.result()).toMatchObject({ stopping: true, barsProcessed: 5, modelVersion: 'model-v2' });
  });
});

test('startShadow and endShadow show in status.challenger; a shadow ends by itself after its bars', async () => {
  const feed = new BarFeed(syntheticBars(12));
  await ts.withWorkers({ trading: feed.activities }, async () => {
    const bot = await startBot(botInput()); // no retraining config: a shadow lasts 5 bars
    feed.release(1, FLAT);
    await feed.waitingFor(barTime(2));
    expect((await status(bot)).challenger).toBeNull();

    await bot.signal(startShadowSignal, 'not a version!'); // ignored
    await bot.signal(startShadowSignal, 'cand-1');
    const shadowing = await statusWhen(bot, 'the shadow to start', (s) => s.challenger !== null);
    expect(shadowing.challenger).toEqual({ version: 'cand-1', barsLeft: 5 });
    feed.release(2, FLAT);
    await feed.waitingFor(barTime(4));
    // The wait for bar 2 had begun before the shadow: only bar 3 came with a challenger prediction.
    expect((await status(bot)).challenger).toEqual({ version: 'cand-1', barsLeft: 4 });
    expect(feed.waits.at(-1)!.input.challengerVersion).toBe('cand-1');

    await bot.signal(endShadowSignal, 'cand-1');
    await statusWhen(bot, 'the shadow to end', (s) => s.challenger === null);
    feed.release(1, FLAT);
    await feed.waitingFor(barTime(5));
    expect(feed.waits.at(-1)!.input.challengerVersion).toBeNull();

    await bot.signal(startShadowSignal, 'cand-2'); // during the wait for bar 5, which does not count
    await statusWhen(bot, 'the second shadow to start', (s) => s.challenger !== null);
    feed.release(4, FLAT);
    await feed.waitingFor(barTime(9));
    expect((await status(bot)).challenger).toEqual({ version: 'cand-2', barsLeft: 2 });
    feed.release(2, FLAT);
    await feed.waitingFor(barTime(11));
    expect((await status(bot)).challenger).toBeNull();
    expect(feed.waits.at(-1)!.input.challengerVersion).toBeNull();
    await bot.signal(stopSignal);
    expect(await bot.result()).toMatchObject({ barsProcessed: 10, challenger: null });
  });
});

test('an invalid input fails the workflow with InvalidBotInput, naming every problem', async () => {
  await ts.withWorkers({}, async () => {
    const bot = await startBot(botInput({ symbol: 'btc-usdt', barsPerRun: 5, startAfter: START_AFTER + 1 }));
    const failure = await bot.result().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'InvalidBotInput', nonRetryable: true });
    expect(cause?.message).toMatch(/symbol 'btc-usdt'.*startAfter.*barsPerRun must be >= 10/);
  });
});

test('alerts: started, paused, the round trip with its PnL, stopped; each once, keyed by the bot and its data', async () => {
  const feed = new BarFeed(syntheticBars(10));
  const sent: AlertEvent[] = [];
  const alerting: Pick<TradingQueueActivities, 'alertSettings' | 'sendAlert'> = {
    alertSettings: () => Promise.resolve({ enabled: true, kinds: [...ALERT_KINDS], minUnreachableMinutes: 5 }),
    sendAlert: (event) => {
      sent.push(event);
      return Promise.resolve({ key: event.key, status: 'delivered', targets: [] });
    },
  };
  await ts.withWorkers({ trading: { ...feed.activities, ...alerting } }, async () => {
    const bot = await startBot(botInput());
    feed.release(1, FLAT);
    await feed.waitingFor(barTime(2));
    await bot.executeUpdate(operateUpdate, { args: ['pause'] });
    await bot.executeUpdate(operateUpdate, { args: ['resume'] });
    feed.release(2, LONG); // entry decided at bar 2's close, filled at bar 3's open
    await feed.waitingFor(barTime(4));
    await bot.signal(flattenSignal);
    feed.release(2, FLAT); // the close decided at bar 4 fills at bar 5's open
    await feed.waitingFor(barTime(6));
    await bot.signal(stopSignal);
    await bot.result();
    const kinds = sent.map((e) => e.kind);
    expect(kinds).toEqual(['bot_started', 'bot_paused', 'bot_resumed', 'position_opened', 'position_closed', 'bot_stopped']);
    expect(new Set(sent.map((e) => e.key)).size).toBe(sent.length);
    expect(sent.find((e) => e.kind === 'position_opened')?.key).toBe(`${bot.workflowId}:position_opened:${barTime(3)}`);
    expect(sent.find((e) => e.kind === 'position_closed')).toMatchObject({
      symbol: 'BTCUSDT',
      side: 'LONG',
      exitReason: 'flatten',
      netPnl: expect.any(Number),
    });
  });
});

test('paper funding: a LONG open at a funding time pays qty x open x rate at that bar, recorded on its trade', async () => {
  const bars = syntheticBars(10);
  const feed = new BarFeed(bars);
  feed.funding.set(barTime(3), 0.001);
  await ts.withWorkers({ trading: feed.activities }, async () => {
    const bot = await startBot(botInput());
    feed.release(1, LONG); // entry decided at bar 1's close ...
    feed.release(1, FLAT); // ... filled at bar 2's open
    await feed.waitingFor(barTime(3));
    const qty = (await status(bot)).position!.qty;
    const cashBefore = feed.recordOf(barTime(2)).trader.cash;
    feed.release(1, FLAT); // bar 3 opens at the funding time
    await feed.waitingFor(barTime(4));
    const paid = qty * bars[2]!.open * 0.001;
    expect(cashBefore - feed.recordOf(barTime(3)).trader.cash).toBeCloseTo(paid, 9);
    await bot.signal(flattenSignal);
    feed.release(2, FLAT);
    await feed.waitingFor(barTime(6));
    const [trade] = feed.records.flatMap((r) => r.trades);
    expect(trade?.funding).toBeCloseTo(paid, 9);
    await bot.signal(stopSignal);
  });
});
