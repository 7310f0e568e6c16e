/**
 * A WebSocket outage under a running paper bot, on the real stack (Temporal dev server, embedded PostgreSQL,
 * LightGBM, ccxt against the local exchange in manual mode): the exchange cuts the market stream and refuses new
 * connections while 8 bars close; the market-data stream reconnects and fills the hole over REST; the bot, which
 * never skips a bar, processes the late bars in order under the late-bar policy (a bar with >= 2 newer bars
 * already stored is stale: no new entry on it) and then trades on the model again.
 *
 * The scenario runs once (beforeAll); each test checks one property of what it left in the database.
 */
import { getModel } from '../../db/repositories/models';
import { loadBars } from '../../db/repositories/bars';
import { liveSeries } from '../../domain/markets';
import { BAR_MS, findGaps, type Bar } from '../../domain/bars';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { startBot } from '../../app/start-bot';
import { tradingParamsFromConfig } from '../../app/trading-params';
import type { BotStatus } from '../../contracts/bot';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
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
  type BotHandle,
  type BotRecords,
  type DecisionRecord,
  type Replay,
} from './fixtures/bot-harness';

jest.setTimeout(120_000);

const BEFORE_BARS = 20;
const OUTAGE_BARS = 8;
const AFTER_BARS = 20;
const TOTAL_BARS = BEFORE_BARS + OUTAGE_BARS + AFTER_BARS;
/** The workflow's staleAfterBars (app/start-bot.ts). */
const STALE_AFTER_BARS = 2;
/**
 * Bars keep closing while the stream is down, faster than its first reconnect attempt (backoff >= 375 ms): the
 * hole then comes back in one REST page, and its first bars are processed with several newer bars stored.
 */
const OUTAGE_BAR_SPACING_MS = 25;

const bars = loadShippedBars();
const config = paperTestConfig();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let runtime: TestRuntime | undefined;
let exchange: LocalExchange | undefined;
let handle: BotHandle | undefined;

interface Run {
  readonly startAfter: number;
  readonly outage: readonly Bar[];
  readonly final: BotStatus;
  readonly records: BotRecords;
  /** The stored bars of the outage by open time: the transaction that wrote each (one REST page = one) and its source. */
  readonly outageWrites: ReadonlyMap<number, { readonly xid: string; readonly source: string }>;
  /** The same bars through the backtest path, which has no late-bar policy (every bar is on time there). */
  readonly replay: Replay;
}
let run: Run;

function staleBehind(d: DecisionRecord): number | null {
  return d.reason === 'stale_bar' ? d.barsBehind : null;
}

beforeAll(async () => {
  const started = Date.now();
  [runtime, exchange] = await Promise.all([startTestRuntime(), LocalExchange.start({ bars, startIndex: HISTORY_BARS, speed: 0, port: 0 })]);
  const ex = exchange;
  const startAfter = bars[ex.closedBars - 1]!.openTime;
  handle = await startBot(runtime.client, runtime.database.db, {
    config,
    symbol: SYMBOL,
    mode: 'paper',
    exchange: localSettings(ex),
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
    maxBars: TOTAL_BARS,
  });
  await ex.waitForKlineSubscribers(1);
  await waitForStatus(handle, 'the bot runs', (s) => s.barsProcessed === 0);
  const ready = Date.now();

  await releaseBars(ex, handle, BEFORE_BARS);
  const beforeMs = Date.now() - ready;

  const dropped = ex.dropWebSockets({ forBars: OUTAGE_BARS });
  if (dropped < 1) throw new Error('dropWebSockets cut no connection: the market-data stream was not connected');
  const outage: Bar[] = [];
  for (let i = 0; i < OUTAGE_BARS; i++) {
    outage.push(...ex.advance(1));
    if (i < OUTAGE_BARS - 1) await sleep(OUTAGE_BAR_SPACING_MS);
  }
  // The last release ended the refusal: from here the stream may reconnect.
  const outageEnd = outage.at(-1)!.openTime;
  const refusalEnded = Date.now();
  await waitForStatus(handle, 'the bot caught up with the outage', (s) => s.lastBar?.openTime === outageEnd, 30_000);
  const catchUpMs = Date.now() - refusalEnded;
  // Bars released before the stream is subscribed again would reach it over REST only (watchdog): wait for it.
  await ex.waitForKlineSubscribers(1, 15_000);

  await releaseBars(ex, handle, AFTER_BARS);
  const final = await handle.result();

  const db = runtime.database.db;
  const records = await readBotRecords(db, startAfter + BAR_MS);
  // xmin = the transaction that wrote the row version: bars written by one statement share it.
  const rows = await runtime.database.sql<{ open_time: string; xid: string; source: string }[]>`
    select open_time::text, xmin::text as xid, source from bars
    where symbol = ${SYMBOL} and open_time >= ${outage[0]!.openTime} and open_time <= ${outageEnd}`;
  const outageWrites = new Map(rows.map((r) => [Number(r.open_time), { xid: r.xid, source: r.source }]));
  const model = await getModel(db, final.modelVersion);
  if (!model) throw new Error(`the champion ${final.modelVersion} is not in the registry`);
  const replay = await replayPaperBot({
    db,
    modelText: model.modelText,
    modelVersion: final.modelVersion,
    params: tradingParamsFromConfig(config),
    startAfter,
    bars: TOTAL_BARS,
  });
  run = { startAfter, outage, final, records, outageWrites, replay };

  const stale = records.decisions.filter((d) => staleBehind(d) !== null);
  console.log(
    `stack + bot up in ${ready - started} ms; ${BEFORE_BARS} bars in ${beforeMs} ms; outage of ${OUTAGE_BARS} bars: ` +
      `bot caught up ${catchUpMs} ms after the refusal ended; stale bars: ${stale.map((d) => `${(d.openTime - outage[0]!.openTime) / BAR_MS + 1}:${d.reason}:${d.action}:${((d.prediction ?? NaN) * 1e4).toFixed(2)}bp`).join(', ') || 'none'}; ` +
      `writes of the outage bars: ${[...new Set(rows.map((r) => r.xid))].length}`,
  );
});

afterAll(async () => {
  if (handle && (await handle.describe()).status.name === 'RUNNING') await handle.terminate('test finished');
  await exchange?.stop();
  await runtime?.stop();
});

test('the bars table has no gap over the run and holds exactly the bars the exchange replayed; the hole came back over REST', async () => {
  expect(run).toBeDefined();
  const { startAfter, outage, outageWrites } = run;
  const lastReleased = startAfter + TOTAL_BARS * BAR_MS;
  const stored = await loadBars(runtime!.database.db, liveSeries(SYMBOL), 0, lastReleased + BAR_MS);
  expect(findGaps(stored)).toEqual([]);
  const first = bars.findIndex((b) => b.openTime === stored[0]?.openTime);
  expect(first).toBeGreaterThanOrEqual(0);
  expect(first).toBeLessThan(HISTORY_BARS); // the stored window starts before the run
  expect(exchange!.closedBars).toBe(HISTORY_BARS + TOTAL_BARS);
  expect(stored).toEqual(bars.slice(first, exchange!.closedBars));

  // No outage bar reached a WebSocket: each was fetched over REST on a reconnect attempt.
  expect([...outageWrites.keys()].sort((a, b) => a - b)).toEqual(outage.map((b) => b.openTime));
  expect([...outageWrites.values()].every((w) => w.source === 'local-rest')).toBe(true);
  // After the outage the stream is back on the WebSocket.
  const after = await runtime!.database.sql<{ source: string }[]>`
    select source from bars where symbol = ${SYMBOL} and open_time > ${outage.at(-1)!.openTime} order by open_time`;
  expect(after.map((r) => r.source)).toEqual(Array.from({ length: AFTER_BARS }, () => 'local-ws'));
});

test('the bot processed every bar exactly once, in order, and caught up to the last released bar', () => {
  expect(run).toBeDefined();
  const { startAfter, final, records } = run;
  const times = barTimesAfter(startAfter, TOTAL_BARS);
  expect(final.barsProcessed).toBe(TOTAL_BARS); // a bar processed twice would count twice
  expect(records.decisions.map((d) => d.openTime)).toEqual(times);
  expect(records.equity.map((e) => e.openTime)).toEqual(times);
  expect(records.predictions.map((p) => p.openTime)).toEqual(times);
  expect(final.lastBar?.openTime).toBe(times.at(-1));
});

test('late bars follow the late-bar policy: stale exactly when >= 2 newer bars were stored, and never an entry on a stale bar', () => {
  expect(run).toBeDefined();
  const { outage, outageWrites, records } = run;
  const outageStart = outage[0]!.openTime;
  const outageEnd = outage.at(-1)!.openTime;
  const minutes = (from: number, to: number) => (to - from) / BAR_MS;

  // Bars around the outage were processed as they closed: never stale.
  const outside = records.decisions.filter((d) => d.openTime < outageStart || d.openTime > outageEnd);
  expect(outside.filter((d) => staleBehind(d) !== null)).toEqual([]);

  // A bar was handed to the bot once its whole write was committed (the bars of one REST page are newer bars
  // already stored), and no bar after the outage was released before the bot caught up: so the number of newer
  // bars it saw lies in [newest bar of its own write - it, outage end - it].
  let mustBeStale = 0;
  for (const d of records.decisions.filter((x) => x.openTime >= outageStart && x.openTime <= outageEnd)) {
    const write = outageWrites.get(d.openTime)!.xid;
    const sameWrite = [...outageWrites].filter(([, w]) => w.xid === write).map(([t]) => t);
    const atLeast = minutes(d.openTime, Math.max(...sameWrite));
    const atMost = minutes(d.openTime, outageEnd);
    const behind = staleBehind(d);
    if (atLeast >= STALE_AFTER_BARS) {
      mustBeStale += 1;
      expect({ openTime: d.openTime, reason: d.reason }).toEqual({ openTime: d.openTime, reason: 'stale_bar' });
    }
    if (behind !== null) {
      expect(behind).toBeGreaterThanOrEqual(Math.max(atLeast, STALE_AFTER_BARS));
      expect(behind).toBeLessThanOrEqual(atMost);
    } else {
      expect(d.reason).toBe('model');
    }
  }
  // Not vacuous: the backfill delivered bars with newer ones in the same page.
  expect(mustBeStale).toBeGreaterThan(0);

  // The backtest path (no late bars) decides as the bot did up to the first stale bar on which it enters: there
  // the bot, flat, held. A stale bar on which the backtest holds or exits is decided alike (same state, and an
  // open position still gets its prediction), so this is where the policy first changed a decision.
  const actions = records.decisions.map((d) => d.action);
  const refused = records.decisions.findIndex((d, i) => staleBehind(d) !== null && run.replay.actions[i]!.startsWith('open_'));
  console.log(`first entry refused on a stale bar: ${refused < 0 ? 'none' : `${run.replay.actions[refused]} on ${records.decisions[refused]!.reason}`}`);
  expect(refused).toBeGreaterThanOrEqual(0); // not vacuous: the model asked for an entry on a stale bar
  expect(actions.slice(0, refused)).toEqual(run.replay.actions.slice(0, refused));
  expect(records.equity.slice(0, refused + 1).map(({ openTime, equity }) => ({ openTime, equity }))).toEqual(run.replay.equity.slice(0, refused + 1));
  expect(actions[refused]).toBe('hold');
  expect(records.equity[refused]!.positionSide).toBeNull();

  const stale = records.decisions.filter((d) => staleBehind(d) !== null);
  expect(stale.length).toBeGreaterThanOrEqual(mustBeStale);
  // Exits still act on a stale bar; entries never.
  expect(stale.filter((d) => d.action.startsWith('open_'))).toEqual([]);
  const staleTimes = new Set(stale.map((d) => d.openTime));
  // An entry decided on bar t fills at the open of bar t + 1.
  expect(records.trades.filter((t) => staleTimes.has(t.entryTime - BAR_MS))).toEqual([]);
  const position = run.final.position;
  if (position !== null) expect(staleTimes.has(position.entryTime - BAR_MS)).toBe(false);
  // Flat after a stale bar stays flat at the next one: nothing was pending to open.
  const equityAt = new Map(records.equity.map((e) => [e.openTime, e]));
  for (const t of staleTimes) {
    if (equityAt.get(t)!.positionSide === null) expect({ bar: t, side: equityAt.get(t + BAR_MS)!.positionSide }).toEqual({ bar: t, side: null });
  }
});

test('after catching up the bot trades on the model again, with the predictions the backtest path gives for the same bars', () => {
  expect(run).toBeDefined();
  const { outage, final, records, replay } = run;
  const after = records.decisions.filter((d) => d.openTime > outage.at(-1)!.openTime);
  expect(after).toHaveLength(AFTER_BARS);
  expect(after.every((d) => d.reason === 'model' && d.prediction !== null && d.modelVersion === final.modelVersion)).toBe(true);
  expect(final.lastBar?.stale).toBe(false);

  // The late bars were predicted on the complete history, as a batch over the stored bars predicts them.
  expect(records.predictions.map((p) => p.prediction)).toEqual(replay.predictions);
  expect(records.decisions.map((d) => d.prediction)).toEqual(replay.predictions);
});
