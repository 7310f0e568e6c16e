/**
 * Three paper bots under one PortfolioWorkflow on the real stack (Temporal, PostgreSQL, LightGBM, ccxt against a
 * local exchange per symbol, manual replay): the portfolio rules bind (max positions, the exposure cap, the
 * portfolio kill switch halting every bot), each refusal is recorded with its reason, and the same bars and
 * predictions through the portfolio backtest's code (domain/portfolio simulatePortfolio) give the same trades,
 * refusals, kill switch and equity.
 *
 * Symbols: BTCUSDT's shipped real bars, and ETHUSDT / SOLUSDT as STAND-INS (BTCUSDT's real returns rotated in time,
 * market-data/stand-in-bars.ts), not those symbols' prices.
 */
import { and, asc, eq, gte, inArray } from 'drizzle-orm';
import { BAR_MS, type Bar } from '../../domain/bars';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { BTCUSDT_PERPETUAL } from '../../local-exchange/exchange-info';
import { startBot } from '../../app/start-bot';
import { planPortfolio, startPortfolio } from '../../app/start-portfolio';
import { tradingParamsFromConfig } from '../../app/trading-params';
import { withLeverageBrackets } from '../../config/leverage-brackets';
import { parseConfig } from '../../config/load-config';
import { decisions, trades } from '../../db/schema';
import { loadBars } from '../../db/repositories/bars';
import { liveSeries } from '../../domain/markets';
import { simulatePortfolio, type SymbolSeries } from '../../domain/portfolio';
import type { TradingParams } from '../../domain/trading';
import { portfolioStatusQuery, stopPortfolioSignal } from '../../contracts/portfolio';
import { standInBars, standInLabel } from '../../market-data/stand-in-bars';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { HISTORY_BARS, localSettings, paperTestConfig, waitForStatus, type BotHandle } from './fixtures/bot-harness';

jest.setTimeout(300_000);

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'] as const;
const BARS = 150;
const REFUSALS = ['max_positions', 'max_exposure', 'portfolio_halted', 'portfolio_unavailable'];
const real = loadShippedBars();
const base = paperTestConfig();
// BTCUSDT trades half the capital; two positions at most; open notional at most 0.6 of the equity (BTC's entry
// with another open is refused by it); a portfolio kill switch at 0.5 % of the summed equity.
const config = parseConfig({
  ...base,
  data: { ...base.data, symbol: undefined, symbols: [...SYMBOLS] },
  portfolio: { weights: { BTCUSDT: 2 }, max_positions: 2, max_gross_exposure: 0.6, max_daily_drawdown_pct: 0.5 },
});
const plan = planPortfolio(config, SYMBOLS, 'paper', { collectMs: 5_000, verdictTimeoutMs: 30_000 });

let runtime: TestRuntime;
const exchanges = new Map<string, LocalExchange>();

beforeAll(async () => {
  runtime = await startTestRuntime();
  for (const symbol of SYMBOLS) {
    const exchange = await LocalExchange.start({
      bars: standInBars(real, symbol),
      startIndex: HISTORY_BARS,
      speed: 0,
      port: 0,
      funding: [],
      instrument: { ...BTCUSDT_PERPETUAL, symbol, baseAsset: symbol.replace(/USDT$/, '') },
    });
    exchanges.set(symbol, exchange);
    console.log(standInLabel(symbol, real.length));
  }
});

afterAll(async () => {
  for (const e of exchanges.values()) await e.stop();
  await runtime?.stop();
});

async function released(handles: Map<string, BotHandle>, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    for (const e of exchanges.values()) e.advance(1);
    for (const [symbol, handle] of handles)
      await waitForStatus(handle, `${symbol} processed bar #${i}`, (s) => s.barsProcessed >= i && (s.awaitingBar || i === count), 40_000);
  }
}

test(`${BARS} bars of three paper bots: the rules bind with recorded reasons, and the portfolio backtest's code gives the same results`, async () => {
  await startPortfolio(runtime.client, plan);
  const handles = new Map<string, BotHandle>();
  for (const symbol of SYMBOLS) {
    const exchange = exchanges.get(symbol)!;
    const handle = await startBot(runtime.client, runtime.database.db, {
      config,
      symbol,
      mode: 'paper',
      exchange: localSettings(exchange),
      barWaitMs: 3_000,
      heartbeatTimeoutMs: 5_000,
      maxBars: BARS,
      portfolio: { link: plan.link, capital: plan.capital[symbol]! },
    });
    await exchange.waitForKlineSubscribers(1);
    handles.set(symbol, handle);
  }
  const startAfter = real[HISTORY_BARS - 1]!.openTime;
  const started = Date.now();
  await released(handles, BARS);
  const finals = new Map(await Promise.all([...handles].map(async ([s, h]) => [s, await h.result()] as const)));
  const portfolioHandle = runtime.client.workflow.getHandle(plan.link.workflowId);
  const status = await portfolioHandle.query(portfolioStatusQuery);
  await portfolioHandle.signal(stopPortfolioSignal);
  console.log(`${BARS} bars x 3 bots in ${Date.now() - started} ms; portfolio ${JSON.stringify({ ...status, books: undefined, recentRefusals: undefined })}`);

  // Allocation: BTCUSDT started with half of the capital, the stand-ins a quarter each.
  expect(plan.capital).toEqual({ BTCUSDT: 5_000, ETHUSDT: 2_500, SOLUSDT: 2_500 });
  const db = runtime.database.db;
  const from = startAfter + BAR_MS;
  const decided = await db
    .select({
      symbol: decisions.symbol,
      openTime: decisions.openTime,
      prediction: decisions.prediction,
      reason: decisions.reason,
      modelVersion: decisions.modelVersion,
      equity: decisions.equity,
    })
    .from(decisions)
    .where(and(eq(decisions.mode, 'paper'), gte(decisions.openTime, from), inArray(decisions.symbol, [...SYMBOLS])))
    .orderBy(asc(decisions.openTime), asc(decisions.symbol));
  expect(decided).toHaveLength(3 * BARS);
  const refusedRows = decided.filter((d) => REFUSALS.includes(d.reason));
  console.log(`refusals: ${refusedRows.map((d) => `${d.symbol}@${new Date(d.openTime).toISOString().slice(11, 16)} ${d.reason}`).join(', ')}`);
  // Not vacuous: both caps refused entries here, and the portfolio kill switch fired and halted every bot.
  expect(refusedRows.some((d) => d.reason === 'max_positions')).toBe(true);
  expect(refusedRows.some((d) => d.reason === 'max_exposure')).toBe(true);
  expect(refusedRows.some((d) => d.reason === 'portfolio_unavailable')).toBe(false);
  expect(status.killSwitches).toHaveLength(1);
  for (const final of finals.values()) expect(final.halted).toBe(true);

  // The portfolio backtest's code over the same bars and predictions.
  const series: SymbolSeries[] = [];
  const params: Record<string, TradingParams> = {};
  for (const symbol of SYMBOLS) {
    const bars: Bar[] = await loadBars(db, liveSeries(symbol), from, from + BARS * BAR_MS);
    const mine = decided.filter((d) => d.symbol === symbol);
    series.push({ symbol, bars, predictions: mine.map((d) => d.prediction ?? Number.NaN), modelVersion: finals.get(symbol)!.modelVersion });
    params[symbol] = withLeverageBrackets({ ...tradingParamsFromConfig(config), startingCapital: plan.capital[symbol]! }, symbol);
  }
  const sim = simulatePortfolio(plan.input.rules, series, params);
  expect(sim.killSwitches).toEqual(status.killSwitches);
  expect(refusedRows.map((d) => ({ time: d.openTime, symbol: d.symbol, reason: d.reason }))).toEqual(
    [...sim.refusals].sort((a, b) => a.time - b.time || a.symbol.localeCompare(b.symbol)),
  );
  const stored = await db
    .select({
      symbol: trades.symbol,
      side: trades.side,
      entryTime: trades.entryTime,
      exitTime: trades.exitTime,
      qty: trades.qty,
      netPnl: trades.netPnl,
      exitReason: trades.exitReason,
    })
    .from(trades)
    .where(and(eq(trades.mode, 'paper'), gte(trades.entryTime, from), inArray(trades.symbol, [...SYMBOLS])))
    .orderBy(asc(trades.entryTime), asc(trades.symbol));
  const simulated = [...sim.trades]
    .sort((a, b) => a.entryTime - b.entryTime || a.symbol.localeCompare(b.symbol))
    .map(({ symbol, side, entryTime, exitTime, qty, netPnl, exitReason }) => ({ symbol, side, entryTime, exitTime, qty, netPnl, exitReason }));
  expect(stored.length).toBeGreaterThan(0);
  expect(stored).toEqual(simulated);
  for (const symbol of SYMBOLS) expect(finals.get(symbol)!.equity).toBe(sim.states[symbol]!.lastEquity);
  // The portfolio's equity at each minute is the sum of the bots' recorded equity.
  const summed = sim.equity.map((e) => e.equity);
  const recorded = Array.from({ length: BARS }, (_, i) => decided.filter((d) => d.openTime === from + i * BAR_MS).reduce((s, d) => s + d.equity, 0));
  recorded.forEach((v, i) => expect(v).toBeCloseTo(summed[i]!, 6));
});
