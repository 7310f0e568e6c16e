/**
 * The bot's retrain triggers end to end (real Temporal, PostgreSQL, LightGBM, ccxt against the manually advanced
 * local exchange, paper bot started by app/start-bot.ts with `retraining: true`): every MEASURE_EVERY_BARS bars
 * the bot measures feature drift (PSI) and its rolling Sharpe, and starts RetrainWorkflow `retrain-<SYMBOL>` with
 * reason 'drift' or 'performance', never more often than min_trigger_interval_minutes.
 *
 * Triggered retrains are meant to end quickly here: the gates demand a directional accuracy of 1, so every
 * candidate is 'gated' right after training (no shadow), and a retrain that is still running can never be why a
 * trigger is skipped. The schedule exists but fires once a year (train_freq_minutes 525 600).
 *
 * Drift calibration (champion trained by startBot on the 72 h before bar 4320; PSI as activities/monitoring-
 * activities.ts computes it, measured offline on the shipped data). The hours after bar 4320 are much calmer than
 * the training window, so slow volatility features sit in the reference's lowest bins whatever the window:
 *   psi window 1440: max PSI 0.20..0.22 (std60) over bars 15..90, but 75 bars after a x5 volatility shift it is
 *                    only 0.24: a few dozen shifted rows out of 1440 barely move a 10-bin PSI;
 *   psi window 240 (shipped): 2.0..2.6 unshifted (std60), 2.3..3.1 in the 60 bars after a x5 volatility shift;
 *   psi window 60:   5.00..5.46 unshifted (std60) over bars 15..120; with volume x20 and volatility x10 from bar 31
 *                    on: 3.77 at bar 45, 4.87 at 60, 5.81 at 75 (std60: first lifted out of the lowest bins), then
 *                    8.28 at bar 90 (std15; 8.28 = every row of the window in the reference's top bin, the largest
 *                    PSI of 10 bins). Smaller windows react sooner but are noisier unshifted (window 30: up to 6.56
 *                    by bar 30, 7.56 at bar 120), and with window 60 the unshifted market itself passes 7 at bar 150
 *                    (spread_ma15 7.39), so the drift run stays within the first 91 bars.
 * Hence psi window 60 and threshold 7: 1.5 above every unshifted measurement, 1.3 below the shifted one.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, asc, eq, gt, gte, lte } from 'drizzle-orm';
import { startBot, MEASURE_EVERY_BARS } from '../../app/start-bot';
import { retrainScheduleId } from '../../app/retrain-schedule';
import { parseConfig } from '../../config/load-config';
import type { BotConfig } from '../../config/schema';
import { listRetrainEvents } from '../../db/repositories/retrain-events';
import { decisions, driftMeasurements, performanceMeasurements, type RetrainEventRow } from '../../db/schema';
import { BAR_MS } from '../../domain/bars';
import { rollingSharpeOf } from '../../model/retrain-triggers';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { retrainWorkflowId } from '../../contracts/retrain';
import type { BotStatus } from '../../contracts/bot';
import { HISTORY_BARS, SYMBOL, localSettings, paperTestConfig, releaseBars, releaseUntil, waitForStatus, type BotHandle } from '../bot/fixtures/bot-harness';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { waitFor as waitForAny } from '../helpers/wait-for';

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => waitForAny(what, probe, timeoutMs, 100);

jest.setTimeout(180_000);

const MIN_INTERVAL_BARS = 45;
const PSI_WINDOW_BARS = 60;
const PSI_THRESHOLD = 7;
/** Far above any rolling Sharpe: every defined measurement asks for a retrain, only the interval holds them back. */
const SHARPE_THRESHOLD = 1e6;
const SHARPE_WINDOW_BARS = 30;
const TRAIN_FREQ_MINUTES = 525_600;
/** Bars of the unshifted market before the regime change (two measurements). */
const CALM_BARS = 30;
const VOLATILE_PSI_FEATURES = ['std15', 'std60', 'spread', 'spread_ma15', 'std_ratio'];

/** The paper-bot test configuration (lively trading) with the triggers under test; no kill switch in a 90-bar run. */
function triggersConfig(retraining: Partial<BotConfig['retraining']>): BotConfig {
  const base = paperTestConfig({ maxDailyDrawdownPct: 50 });
  return parseConfig({
    ...base,
    training: { ...base.training, train_freq_minutes: TRAIN_FREQ_MINUTES },
    retraining: {
      ...base.retraining,
      min_trigger_interval_minutes: MIN_INTERVAL_BARS,
      gates: { ...base.retraining.gates, min_directional_accuracy: 1 },
      ...retraining,
    },
  });
}

let runtime: TestRuntime;
let exchange: LocalExchange;
let bot: BotHandle | undefined;

/** Starts the paper bot with retraining on; it trades the bars after the exchange's last closed one. */
async function start(config: BotConfig): Promise<{ handle: BotHandle; startAfter: number }> {
  const startAfter = exchange.serverTime() - BAR_MS;
  const handle = await startBot(runtime.client, runtime.database.db, {
    config,
    symbol: SYMBOL,
    mode: 'paper',
    exchange: localSettings(exchange),
    retraining: true,
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
  });
  bot = handle;
  return { handle, startAfter };
}

async function stopBot(handle: BotHandle): Promise<BotStatus> {
  await handle.signal('stop');
  const final = await handle.result();
  bot = undefined;
  return final;
}

/** Retrain events started by triggers of the given reason, oldest first, once their retrains have ended. */
async function finishedTriggeredRetrains(reason: 'drift' | 'performance', expected: number): Promise<RetrainEventRow[]> {
  return waitFor(`${expected} finished '${reason}' retrain event(s)`, async () => {
    const rows = (await listRetrainEvents(runtime.database.db, SYMBOL, 100)).filter((r) => r.reason === reason).reverse();
    return rows.length === expected && rows.every((r) => r.outcome !== 'running') ? rows : undefined;
  });
}

/** Waits until no RetrainWorkflow runs, so the next trigger can only be held back by the interval. */
async function retrainIdle(): Promise<void> {
  await waitFor('the triggered retrain to end', async () => {
    try {
      const run = await runtime.client.workflow.getHandle(retrainWorkflowId(SYMBOL)).describe();
      return run.status.name === 'RUNNING' ? undefined : true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return true; // no trigger yet
      throw err;
    }
  });
}

/** The rolling Sharpe a performance trigger reported (retrain_events.detail). */
function reportedSharpe(event: RetrainEventRow): number {
  const sharpe = event.detail?.sharpe;
  if (typeof sharpe !== 'number') throw new Error(`retrain event ${event.id} has no sharpe in its detail: ${JSON.stringify(event.detail)}`);
  return sharpe;
}

/** Max PSI over the features at each measured bar in (from, to], in time order. */
async function maxPsiByBar(from: number, to: number): Promise<{ openTime: number; feature: string; psi: number }[]> {
  const rows = await runtime.database.db
    .select({ openTime: driftMeasurements.openTime, feature: driftMeasurements.feature, psi: driftMeasurements.psi })
    .from(driftMeasurements)
    .where(and(eq(driftMeasurements.symbol, SYMBOL), gt(driftMeasurements.openTime, from), lte(driftMeasurements.openTime, to)))
    .orderBy(asc(driftMeasurements.openTime));
  const byBar = new Map<number, { openTime: number; feature: string; psi: number }>();
  for (const r of rows) {
    const worst = byBar.get(r.openTime);
    if (!worst || r.psi > worst.psi) byBar.set(r.openTime, r);
  }
  return [...byBar.values()];
}

beforeAll(async () => {
  runtime = await startTestRuntime({ trainingSlots: 1 });
  exchange = await LocalExchange.start({ bars: loadShippedBars(), startIndex: HISTORY_BARS, speed: 0, port: 0 });
});

afterAll(async () => {
  if (bot) await stopBot(bot).catch(() => undefined);
  await runtime?.stop();
  await exchange?.stop();
});

describe('drift', () => {
  let handle: BotHandle;
  let startAfter: number;

  beforeAll(async () => {
    ({ handle, startAfter } = await start(triggersConfig({ psi_window_minutes: PSI_WINDOW_BARS, psi_threshold: PSI_THRESHOLD, sharpe_threshold: -1e9 })));
  });

  test('startBot with retraining creates the retrain schedule, every train_freq_minutes of market time', async () => {
    const schedule = await runtime.client.schedule.getHandle(retrainScheduleId(SYMBOL)).describe();
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'ScheduledRetrainWorkflow', taskQueue: 'trading' });
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: TRAIN_FREQ_MINUTES * 60_000 })]);
    expect(schedule.state.paused).toBe(false);
    // It cannot fire during this file: the triggers below are the only retrains.
    expect(schedule.info.nextActionTimes[0]!.getTime()).toBeGreaterThan(Date.now() + 3_600_000);
  });

  test('a regime change through the exchange makes a volatility feature drift: a retrain with reason drift names it', async () => {
    await releaseBars(exchange, handle, CALM_BARS);
    const injectedAt = exchange.serverTime(); // open time of the first shifted bar
    exchange.injectRegimeChange({ fromIndex: exchange.closedBars, volumeMultiplier: 20, volatilityMultiplier: 10 });
    const triggered = await releaseUntil(exchange, handle, 'a drift trigger', (s) => s.retrainsTriggered > 0, 4 * MEASURE_EVERY_BARS + 1);

    const measured = await maxPsiByBar(startAfter, triggered.lastBar!.openTime);
    const calm = measured.filter((m) => m.openTime < injectedAt);
    expect(calm.map((m) => m.openTime)).toEqual([1, 2].map((k) => startAfter + k * MEASURE_EVERY_BARS * BAR_MS));
    for (const m of calm) expect(m.psi).toBeLessThan(PSI_THRESHOLD);
    // The trigger is the first measurement above the threshold, after the change.
    const firstAbove = measured.find((m) => m.psi > PSI_THRESHOLD)!;
    expect(firstAbove.openTime).toBeGreaterThan(injectedAt);
    expect(measured[measured.length - 1]).toEqual(firstAbove);
    expect(triggered).toMatchObject({ retrainsTriggered: 1, lastDrift: { feature: firstAbove.feature, psi: firstAbove.psi } });
    expect(VOLATILE_PSI_FEATURES).toContain(firstAbove.feature);

    const [event] = await finishedTriggeredRetrains('drift', 1);
    expect(event).toMatchObject({ reason: 'drift', detail: { feature: firstAbove.feature, psi: firstAbove.psi }, outcome: 'gated' });
    expect((await stopBot(handle)).retrainsTriggered).toBe(1);
    console.log(
      `drift: psi window ${PSI_WINDOW_BARS}, threshold ${PSI_THRESHOLD}; max PSI per measurement: ` +
        measured.map((m) => `bar ${(m.openTime - startAfter) / BAR_MS} ${m.feature}=${m.psi.toFixed(2)}`).join(', ') +
        `; regime change from bar ${(injectedAt - startAfter) / BAR_MS}`,
    );
  });
});

describe('performance', () => {
  const RUN_BARS = 90;
  let handle: BotHandle;
  let startAfter: number;

  beforeAll(async () => {
    ({ handle, startAfter } = await start(
      triggersConfig({ psi_threshold: 1e9, sharpe_threshold: SHARPE_THRESHOLD, sharpe_window_minutes: SHARPE_WINDOW_BARS }),
    ));
  });

  test('a rolling Sharpe below the threshold triggers retrains with reason performance, at most once per min interval', async () => {
    // Batches end one bar after a measurement, so the trigger decision of that measurement is made; a retrain
    // still running is waited for, so only the interval can hold the next trigger back.
    for (let released = 0; released < RUN_BARS + 1;) {
      const batch = released === 0 ? MEASURE_EVERY_BARS + 1 : MEASURE_EVERY_BARS;
      await releaseBars(exchange, handle, batch);
      released += batch;
      await retrainIdle();
    }
    const status = await waitForStatus(handle, 'the run is processed', (s) => s.barsProcessed === RUN_BARS + 1);
    const lastMeasured = startAfter + RUN_BARS * BAR_MS;

    const { db } = runtime.database;
    const sharpes = await db
      .select({ openTime: performanceMeasurements.openTime, value: performanceMeasurements.value })
      .from(performanceMeasurements)
      .where(
        and(eq(performanceMeasurements.symbol, SYMBOL), eq(performanceMeasurements.metric, 'rolling_sharpe'), gt(performanceMeasurements.openTime, startAfter)),
      )
      .orderBy(asc(performanceMeasurements.openTime));
    // Defined from the first full window on (bar 30) while the bot trades: each of these measurements asks for a retrain.
    const asking = sharpes.filter((m) => m.value < SHARPE_THRESHOLD && m.openTime <= lastMeasured);
    expect(asking.length).toBeGreaterThanOrEqual(4);
    expect(asking[0]!.openTime).toBe(startAfter + SHARPE_WINDOW_BARS * BAR_MS);
    // What the interval lets through: the first asking measurement, then the next one at least the interval later...
    const expected: number[] = [];
    for (const m of asking) if (expected.length === 0 || m.openTime - expected[expected.length - 1]! >= MIN_INTERVAL_BARS * BAR_MS) expected.push(m.openTime);

    const events = await finishedTriggeredRetrains('performance', status.retrainsTriggered);
    const triggeredAt = events.map((e) => {
      const match = asking.find((m) => m.value === reportedSharpe(e));
      if (match === undefined) throw new Error(`retrain event ${e.id}: detail ${JSON.stringify(e.detail)} matches no measured rolling Sharpe`);
      return match.openTime;
    });
    expect(triggeredAt).toEqual(expected);
    expect(status.retrainsTriggered).toBeLessThanOrEqual(Math.ceil(RUN_BARS / MIN_INTERVAL_BARS));
    expect(status.retrainsTriggered).toBeLessThan(asking.length);
    for (let i = 1; i < triggeredAt.length; i++) expect(triggeredAt[i]! - triggeredAt[i - 1]!).toBeGreaterThanOrEqual(MIN_INTERVAL_BARS * BAR_MS);
    expect(await listRetrainEvents(db, SYMBOL, 100)).toHaveLength(1 + events.length); // the drift one and these: no scheduled retrain
    for (const e of events) expect(e).toMatchObject({ reason: 'performance', outcome: 'gated', detail: { sharpe: expect.any(Number) } });

    // The detail is the bot's own rolling Sharpe: per-minute returns of its last 30 equity points at the trigger.
    const first = events[0]!;
    const equity = await db
      .select({ equity: decisions.equity })
      .from(decisions)
      .where(
        and(
          eq(decisions.symbol, SYMBOL),
          eq(decisions.mode, 'paper'),
          gte(decisions.openTime, triggeredAt[0]! - (SHARPE_WINDOW_BARS - 1) * BAR_MS),
          lte(decisions.openTime, triggeredAt[0]!),
        ),
      )
      .orderBy(asc(decisions.openTime));
    expect(reportedSharpe(first)).toBeCloseTo(
      rollingSharpeOf(
        equity.map((r) => r.equity),
        SHARPE_WINDOW_BARS,
      )!,
      6,
    );
    expect(reportedSharpe(first)).toBeLessThan(SHARPE_THRESHOLD);
    console.log(
      `performance: rolling Sharpe per measurement: ${sharpes.map((m) => `bar ${(m.openTime - startAfter) / BAR_MS} ${m.value.toFixed(1)}`).join(', ')}; ` +
        `retrains triggered at bars ${triggeredAt.map((t) => (t - startAfter) / BAR_MS).join(', ')}`,
    );
  });
});
