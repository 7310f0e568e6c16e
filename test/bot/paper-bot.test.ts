/**
 * The paper bot on the real stack (Temporal dev server, embedded PostgreSQL, LightGBM, ccxt against the local
 * exchange in manual mode): every bar is predicted, decided and recorded, its trades are the backtest path's
 * trades, operators pause / resume / flatten / stop it, and the kill switch halts it for the rest of the UTC day.
 *
 * The exchange releases one bar at a time and the test waits until the bot has processed it, so no bar is ever
 * late and the run is deterministic. The tests share one stack and run in order over consecutive bars; each
 * starts its own TradingBotWorkflow (the same workflow id, once the previous run has ended).
 */
import { utcDay, BAR_MS } from '../../domain/bars';
import { getModel } from '../../db/repositories/models';
import { closingOrder, slippedPrice, type FundingRate } from '../../domain/trading';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { startBot } from '../../app/start-bot';
import { tradingParamsFromConfig } from '../../app/trading-params';
import type { BotConfig } from '../../config/schema';
import { flattenSignal, operateUpdate, statusQuery } from '../../contracts/bot';
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
  releaseUntil,
  replayPaperBot,
  SYMBOL,
  waitForStatus,
  type BotHandle,
} from './fixtures/bot-harness';

jest.setTimeout(180_000);

const bars = loadShippedBars();
const config = paperTestConfig();
// A funding every 5 minutes over the first run's bars (given to the exchange, not Binance's 8 h schedule), so its
// trades pay and receive funding; later runs' bars have none. Rates of both signs, mark price a little off the open.
const FUNDING: FundingRate[] = Array.from({ length: 24 }, (_, k) => {
  const bar = bars[HISTORY_BARS + 3 + 5 * k]!;
  const rate = (k % 3 === 2 ? -1 : 1) * 0.0004;
  return { time: bar.openTime + 17, rate, markPrice: Math.round(bar.open * 1.0002 * 100) / 100 };
});
let runtime: TestRuntime;
let exchange: LocalExchange;
/** The bot of the running test, terminated after it if a failure left it running. */
let current: BotHandle | undefined;

beforeAll(async () => {
  const started = Date.now();
  [runtime, exchange] = await Promise.all([startTestRuntime(), LocalExchange.start({ bars, startIndex: HISTORY_BARS, speed: 0, port: 0, funding: FUNDING })]);
  console.log(`stack up in ${Date.now() - started} ms`);
});

afterEach(async () => {
  if (current && (await current.describe()).status.name === 'RUNNING') await current.terminate('test finished');
  current = undefined;
});

afterAll(async () => {
  await exchange?.stop();
  await runtime?.stop();
});

/** Starts a paper bot on the bars after the exchange's last closed bar; resolves once its first bar can be released. */
async function startPaperBot(botConfig: BotConfig, maxBars?: number): Promise<{ handle: BotHandle; startAfter: number }> {
  const startAfter = bars[exchange.closedBars - 1]!.openTime;
  const handle = await startBot(runtime.client, runtime.database.db, {
    config: botConfig,
    symbol: SYMBOL,
    mode: 'paper',
    exchange: localSettings(exchange),
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
    ...(maxBars !== undefined ? { maxBars } : {}),
  });
  current = handle;
  await exchange.waitForKlineSubscribers(1);
  await waitForStatus(handle, 'the bot runs', (s) => s.barsProcessed === 0);
  return { handle, startAfter };
}

describe('a 120-bar paper run', () => {
  const BARS = 120;
  let run: { startAfter: number; final: BotStatus };

  test('records a champion prediction, a decision and an equity snapshot for every bar, and each closed trade', async () => {
    const started = Date.now();
    const { handle, startAfter } = await startPaperBot(config, BARS);
    const ready = Date.now();
    await releaseBars(exchange, handle, BARS);
    const final = await handle.result();
    console.log(`start (market data, backfill, champion training): ${ready - started} ms; ${BARS} bars: ${Date.now() - ready} ms`);
    run = { startAfter, final };

    expect(final.barsProcessed).toBe(BARS);
    const times = barTimesAfter(startAfter, BARS);
    const records = await readBotRecords(runtime.database.db, startAfter + BAR_MS);
    // Every bar, in order, none skipped or repeated.
    expect(records.decisions.map((d) => d.openTime)).toEqual(times);
    expect(records.equity.map((e) => e.openTime)).toEqual(times);
    expect(records.predictions.map((p) => p.openTime)).toEqual(times);
    expect(new Set(records.predictions.map((p) => `${p.role} ${p.modelVersion}`))).toEqual(new Set([`champion ${final.modelVersion}`]));
    expect(records.decisions.map((d) => d.prediction)).toEqual(records.predictions.map((p) => p.prediction));
    expect(records.decisions.every((d) => d.reason === 'model' && d.modelVersion === final.modelVersion)).toBe(true);
    expect(records.decisions.map((d) => d.equity)).toEqual(records.equity.map((e) => e.equity));
    expect(records.equity.at(-1)!.equity).toBe(final.equity);
    expect(final.lastBar?.openTime).toBe(times.at(-1));

    // The thresholds of paperTestConfig make this stretch trade several times.
    expect(final.tradesClosed).toBeGreaterThanOrEqual(3);
    expect(records.trades).toHaveLength(final.tradesClosed);
    expect(records.trades.every((t) => t.modelVersion === final.modelVersion && t.exitTime > t.entryTime)).toBe(true);
    console.log(`${final.tradesClosed} trades: ${records.trades.map((t) => `${t.side} ${t.exitReason} ${t.netPnl.toFixed(2)}`).join(', ')}`);
    const pnl = records.trades.reduce((s, t) => s + t.netPnl, 0);
    if (final.position === null) expect(final.equity).toBeCloseTo(config.execution.base_capital + pnl, 6);
  });

  test('parity: the same bars through the backtest path (batch features and predictions, processBar) give the same trades', async () => {
    expect(run).toBeDefined();
    const { startAfter, final } = run;
    const model = await getModel(runtime.database.db, final.modelVersion);
    const replay = await replayPaperBot({
      db: runtime.database.db,
      modelText: model!.modelText,
      modelVersion: final.modelVersion,
      params: tradingParamsFromConfig(config),
      startAfter,
      bars: final.barsProcessed,
      funding: FUNDING,
    });
    const records = await readBotRecords(runtime.database.db, startAfter + BAR_MS);
    // Funding included: the paper bot paid what the exchange settled, at the minutes strategy.md says.
    expect(records.trades.some((t) => t.funding !== 0)).toBe(true);
    expect(records.trades).toEqual(replay.trades);
    expect(records.predictions.map((p) => p.prediction)).toEqual(replay.predictions);
    expect(records.decisions.map((d) => d.action)).toEqual(replay.actions);
    expect(records.equity.map(({ openTime, equity }) => ({ openTime, equity }))).toEqual(replay.equity);
    expect(final.equity).toBe(replay.state.lastEquity);
    expect(final.position?.side ?? null).toBe(replay.state.position?.side ?? null);
    expect(final.position?.entryTime ?? null).toBe(replay.state.position?.entryTime ?? null);
  });
});

test('operator commands: pause blocks entries, resume lifts it, flatten closes at the next bar, stop ends the run', async () => {
  const { handle, startAfter } = await startPaperBot(config);
  const params = tradingParamsFromConfig(config);

  const paused = await handle.executeUpdate(operateUpdate, { args: ['pause'] });
  expect(paused.paused).toBe(true);
  const pausedBars = await releaseBars(exchange, handle, 15);
  const afterPause = await waitForStatus(handle, 'the paused bars are processed', (s) => s.barsProcessed === 15);
  expect(afterPause.position).toBeNull();
  expect(afterPause.pending).toBeNull();
  let records = await readBotRecords(runtime.database.db, startAfter + BAR_MS);
  expect(records.decisions.map((d) => d.openTime)).toEqual(pausedBars.map((b) => b.openTime));
  expect(records.decisions.every((d) => d.action === 'hold' && d.reason === 'paused')).toBe(true);
  // Not vacuous: the model asked for an entry on some of these bars.
  expect(records.decisions.some((d) => Math.abs(d.prediction!) > params.entryThreshold)).toBe(true);

  const resumed = await handle.executeUpdate(operateUpdate, { args: ['resume'] });
  expect(resumed.paused).toBe(false);
  const inPosition = await releaseUntil(exchange, handle, 'an entry after resume', (s) => s.position !== null, 40);
  const position = inPosition.position!;

  // Flatten by signal (the update does the same): the close fills at the next bar's open.
  await handle.signal(flattenSignal);
  await waitForStatus(handle, 'the flatten is pending', (s) => s.pending === 'CLOSE (flatten)');
  const [flattenBar] = await releaseBars(exchange, handle, 1);
  expect((await handle.query(statusQuery)).position).toBeNull();
  records = await readBotRecords(runtime.database.db, startAfter + BAR_MS);
  const flattenTrades = records.trades.filter((t) => t.exitReason === 'flatten');
  expect(flattenTrades).toEqual([
    expect.objectContaining({
      side: position.side,
      entryTime: position.entryTime,
      exitTime: flattenBar!.openTime,
      exitPrice: slippedPrice(flattenBar!.open, closingOrder(position.side), params),
    }),
  ]);

  const stopping = await handle.executeUpdate(operateUpdate, { args: ['stop'] });
  expect(stopping.stopping).toBe(true);
  const final = await handle.result();
  expect(final.stopping).toBe(true);
  expect(final.barsProcessed).toBe(records.decisions.length);
  expect(final.tradesClosed).toBe(records.trades.length);
  expect((await handle.describe()).status.name).toBe('COMPLETED');
});

test('kill switch: a tight daily drawdown limit halts the bot after a losing trade, with no entries for the rest of the UTC day', async () => {
  // Stops and take-profits at 0.05 % close trades quickly in the calm stretch these bars come from. A 0.1 % limit
  // is more than an open position can lose at a bar close before its stop triggers (4 bp entry fee + < 5 bp price)
  // and less than a stopped-out trade loses (~14 bp with fees and slippage): only a closed loss can fire it.
  const killConfig = paperTestConfig({ maxDailyDrawdownPct: 0.1, stopLossPct: 0.05, takeProfitPct: 0.05 });
  const params = tradingParamsFromConfig(killConfig);
  const { handle, startAfter } = await startPaperBot(killConfig);

  const halted = await releaseUntil(exchange, handle, 'the kill switch', (s) => s.halted, 60);
  const haltBar = halted.lastBar!.openTime;
  console.log(
    `kill switch after ${halted.barsProcessed} bars at equity ${halted.equity.toFixed(2)}, ${halted.position ? `in a ${halted.position.side} position` : 'flat'}`,
  );
  expect(halted.equity).toBeLessThanOrEqual(halted.dayOpenEquity * (1 - params.maxDailyDrawdownFraction));
  expect(halted.equity).toBeLessThan(killConfig.execution.base_capital);
  const closedBeforeHalt = (await readBotRecords(runtime.database.db, startAfter + BAR_MS)).trades.filter((t) => t.exitTime <= haltBar);
  expect(closedBeforeHalt.some((t) => t.netPnl < 0)).toBe(true);

  await releaseBars(exchange, handle, 20);
  const after = await waitForStatus(handle, 'the bars after the halt are processed', (s) => s.lastBar!.openTime === haltBar + 20 * BAR_MS);
  expect(after.halted).toBe(true);
  expect(after.position).toBeNull();
  const records = await readBotRecords(runtime.database.db, startAfter + BAR_MS);
  expect(records.decisions.filter((d) => d.reason === 'kill_switch').map((d) => d.openTime)).toEqual([haltBar]);
  const later = records.decisions.filter((d) => d.openTime > haltBar);
  expect(later).toHaveLength(20);
  expect(utcDay(later.at(-1)!.openTime)).toBe(utcDay(haltBar)); // still the same UTC day
  expect(later.every((d) => d.reason === 'halted' && !d.action.startsWith('open_'))).toBe(true);
  // Not vacuous: the model asked for entries after the halt.
  expect(later.some((d) => Math.abs(d.prediction!) > params.entryThreshold)).toBe(true);
  // A position open at the halt was closed by the switch at the next bar's open.
  const killTrades = records.trades.filter((t) => t.exitReason === 'kill_switch');
  if (halted.position !== null) expect(killTrades.map((t) => t.exitTime)).toEqual([haltBar + BAR_MS]);
  else expect(killTrades).toEqual([]);
  expect(records.trades.every((t) => t.entryTime <= haltBar)).toBe(true);

  await handle.executeUpdate(operateUpdate, { args: ['stop'] });
  expect((await handle.result()).halted).toBe(true);
});
