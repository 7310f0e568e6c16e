/**
 * Live parity: the live bot against the local exchange (real ccxt, Temporal, PostgreSQL) and the backtest path
 * (processBar over the same stored bars with one batch prediction) take the same decisions and make the same
 * round trips. Both run the domain's bar step (domain/trading/bar-step.ts); only the fills' source differs: the
 * exchange fills a market order at once at the last close, the simulation at the next bar's open, so prices and
 * quantities agree to a few basis points, and sides, times and exit reasons exactly.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { startBot } from '../../app/start-bot';
import { tradingParamsFromConfig } from '../../app/trading-params';
import { loadConfig } from '../../config/load-config';
import type { BotConfig } from '../../config/schema';
import { statusQuery } from '../../contracts/bot';
import { getModel } from '../../db/repositories/models';
import { LocalExchange } from '../../local-exchange/local-exchange';
import type { TradingBotWorkflow } from '../../workflows/trading-bot-workflow';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { waitFor } from '../helpers/wait-for';
import { HISTORY_BARS, localSettings, readBotRecords, replayPaperBot } from './fixtures/bot-harness';

jest.setTimeout(300_000);

const BARS = 90;
let runtime: TestRuntime;
let exchange: LocalExchange;
const bars = loadShippedBars();
let bot: WorkflowHandle<typeof TradingBotWorkflow>;
const shipped = loadConfig();
// The shipped model predicts about -2 bp here: a low entry threshold and tight protective orders (0.08 %) give
// several round trips in 90 bars, closed by the exchange's stop-loss and take-profit orders.
const config: BotConfig = { ...shipped, trading: { ...shipped.trading, entry_threshold_bps: 1.2, stop_loss_pct: 0.08, take_profit_pct: 0.08 } };

beforeAll(async () => {
  runtime = await startTestRuntime();
  exchange = await LocalExchange.start({ bars, startIndex: HISTORY_BARS, speed: 0, port: 0, slippageBps: config.execution.slippage_bps });
});

afterAll(async () => {
  await bot?.terminate('test finished').catch(() => undefined);
  await runtime?.stop();
  await exchange?.stop();
});

test(`${BARS} live bars: the same decisions and round trips as the backtest path over the same bars`, async () => {
  // The bot trades every bar after the exchange's last closed one.
  const startAfter = bars[exchange.closedBars - 1]!.openTime;
  bot = await startBot(runtime.client, runtime.database.db, {
    config,
    symbol: 'BTCUSDT',
    mode: 'live',
    exchange: localSettings(exchange),
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
  });
  const status = () => bot.query(statusQuery);
  await exchange.waitForKlineSubscribers(1);
  for (let i = 1; i <= BARS; i++) {
    exchange.advance(1);
    await waitFor(`bar ${i}`, async () => ((await status()).barsProcessed >= i ? true : undefined), 30_000);
  }
  const final = await status();
  const model = await getModel(runtime.database.db, final.modelVersion);
  const replay = await replayPaperBot({
    db: runtime.database.db,
    modelText: model!.modelText,
    modelVersion: final.modelVersion,
    params: tradingParamsFromConfig(config),
    startAfter,
    bars: BARS,
  });
  const live = await readBotRecords(runtime.database.db, startAfter + 60_000, 'live');

  expect(live.decisions.map((d) => d.action)).toEqual(replay.actions);
  expect(replay.trades.length).toBeGreaterThanOrEqual(2);
  const shape = (t: (typeof replay.trades)[number]) => ({
    side: t.side,
    entryTime: t.entryTime,
    exitTime: t.exitTime,
    exitReason: t.exitReason,
    modelVersion: t.modelVersion,
  });
  expect(live.trades.map(shape)).toEqual(replay.trades.map(shape));
  live.trades.forEach((t, i) => {
    const r = replay.trades[i]!;
    expect(Math.abs(t.entryPrice / r.entryPrice - 1)).toBeLessThan(0.003);
    expect(Math.abs(t.exitPrice / r.exitPrice - 1)).toBeLessThan(0.003);
    expect(Math.abs(t.qty / r.qty - 1)).toBeLessThan(0.02);
  });
});
