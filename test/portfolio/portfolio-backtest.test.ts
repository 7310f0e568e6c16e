/**
 * PortfolioBacktestWorkflow on the real stack (Temporal dev server + embedded PostgreSQL + workers in this
 * process): three symbols (BTCUSDT on the shipped data, ETHUSDT and SOLUSDT on its labelled STAND-INs), each one's
 * walk-forward as a child, then the portfolio rules over the merged timeline. One stack for every case; the models
 * are trained by the first run and found in the registry by the later ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { BotConfig } from '../../config/schema';
import { listTrades } from '../../db/repositories/backtests';
import { writeBars } from '../../db/repositories/bars';
import { BAR_MS } from '../../domain/bars';
import { buildPortfolioBacktestRequest } from '../../app/portfolio-backtest-request';
import { runPortfolioBacktest, startPortfolioBacktest } from '../../app/portfolio-backtest-run';
import { getRun } from '../../db/repositories/backtests';
import type { PortfolioBacktestSummary } from '../../contracts/portfolio-backtest';
import { parseCsvRecords } from '../../reports/csv';
import { STAND_IN_MARKET } from '../../market-data/stand-in-bars';
import { livelyConfig } from '../backtest/fixtures/lively-config';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { waitFor } from '../helpers/wait-for';
import { errorText } from '../../workflows/error-text';

jest.setTimeout(300_000);

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const TIMELINE = { trainHours: 48, testHours: 3, retrainMinutes: 60 };
const LOOSE = { weights: {}, max_positions: null, max_gross_exposure: null, max_daily_drawdown_pct: 99 };

let runtime: TestRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(async () => {
  await runtime?.stop();
});

async function modelCount(): Promise<number> {
  const rows = await runtime.database.db.execute<{ n: string }>(sql`select count(*)::text as n from models`);
  return Number(rows[0]!.n);
}

function config(portfolio: Partial<BotConfig['portfolio']>): BotConfig {
  const base = livelyConfig();
  return { ...base, portfolio: { ...LOOSE, ...portfolio } };
}

async function run(runId: string, portfolio: Partial<BotConfig['portfolio']>): Promise<PortfolioBacktestSummary> {
  const prepared = await buildPortfolioBacktestRequest(
    config(portfolio),
    { symbols: SYMBOLS, ...TIMELINE, runId, out: join(runtime.dataDir, runId) },
    { db: runtime.database.db },
  );
  return runPortfolioBacktest(runtime.client, prepared);
}

interface CsvTrade {
  readonly symbol: string;
  readonly side: string;
  readonly entry: number;
  readonly exit: number;
  readonly qty: number;
  readonly reason: string;
  readonly data: string;
}

/** The rows of a result file, by its header's column names. */
function csv(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsvRecords(readFileSync(file, 'utf8'), file);
  return rows.map((r) => Object.fromEntries(header!.fields.map((name, i) => [name, r.fields[i]!])));
}

function trades(summary: PortfolioBacktestSummary): CsvTrade[] {
  return csv(join(summary.outDir, 'trades.csv')).map((r) => ({
    symbol: r.symbol!,
    side: r.side!,
    entry: Number(r.entry_time),
    exit: Number(r.exit_time),
    qty: Number(r.qty),
    reason: r.exit_reason!,
    data: r.data!,
  }));
}

function summaryFile(summary: PortfolioBacktestSummary): {
  refusals: { total: number; by_reason: Record<string, number> };
  kill_switches: { time: number }[];
  data_labels: string[];
} {
  return JSON.parse(readFileSync(join(summary.outDir, 'summary.json'), 'utf8')) as ReturnType<typeof summaryFile>;
}

test("limits that never bind: every symbol's trades are its own walk-forward's (times, sides, reasons), only smaller", async () => {
  const before = await modelCount();
  const summary = await run('p-loose', {});
  // Three symbols x three hourly segments, trained once.
  expect((await modelCount()) - before).toBe(9);
  const all = trades(summary);
  expect(new Set(all.map((t) => t.symbol))).toEqual(new Set(SYMBOLS));
  for (const symbol of SYMBOLS) {
    const alone = await listTrades(runtime.database.db, `p-loose-${symbol}`);
    const mine = all.filter((t) => t.symbol === symbol);
    expect(alone.length).toBeGreaterThan(2);
    expect(mine.map((t) => [t.side, t.entry, t.exit, t.reason])).toEqual(alone.map((t) => [t.side, t.entryTime, t.exitTime, t.exitReason]));
    // The standalone walk-forward trades the whole capital, the portfolio's symbol a third of it.
    mine.forEach((t, i) => expect(t.qty).toBeLessThan(alone[i]!.qty));
  }
  expect(summary.refusals).toEqual({});
  const file = summaryFile(summary);
  expect(file.data_labels.filter((l) => l.includes('STAND-IN'))).toHaveLength(2);
  expect(file.data_labels[0]).toMatch(/^BTCUSDT: real/);
  expect(csv(join(summary.outDir, 'refusals.csv'))).toEqual([]);
  expect(csv(join(summary.outDir, 'data-sources.csv')).map((r) => [r.symbol, r.data])).toEqual([
    ['BTCUSDT', 'real'],
    ['ETHUSDT', 'stand-in'],
    ['SOLUSDT', 'stand-in'],
  ]);
  expect(new Set(all.filter((t) => t.symbol !== 'BTCUSDT').map((t) => t.data))).toEqual(new Set(['stand-in']));
  const html = readFileSync(join(summary.outDir, 'report.html'), 'utf8');
  expect(html).toContain('ETHUSDT: STAND-IN');
  expect(html).not.toMatch(/<script[^>]+src=/);
  // The portfolio's equity starts at the capital, one point per test minute after it.
  const equity = csv(join(summary.outDir, 'equity.csv'));
  expect(equity).toHaveLength(TIMELINE.testHours * 60 + 1);
  expect(Number(equity[0]!.equity)).toBe(10_000);
  expect(summary.metrics.trades).toBe(all.length);
});

test('max_positions 1: entries beyond the first position are refused with reason max_positions, recorded', async () => {
  const before = await modelCount();
  const summary = await run('p-one', { max_positions: 1 });
  expect(await modelCount()).toBe(before);
  const refused = csv(join(summary.outDir, 'refusals.csv'));
  expect(refused.length).toBeGreaterThan(0);
  expect(new Set(refused.map((r) => r.reason))).toEqual(new Set(['max_positions']));
  expect(summaryFile(summary).refusals).toEqual({ total: refused.length, by_reason: { max_positions: refused.length } });
  const all = trades(summary);
  for (const t of all) expect(all.filter((u) => u !== t && u.entry < t.exit && t.entry < u.exit)).toEqual([]);
});

test('a tight max_gross_exposure refuses with max_exposure: one third of the capital fits, two thirds do not', async () => {
  const summary = await run('p-exposure', { max_gross_exposure: 0.5 });
  const refused = csv(join(summary.outDir, 'refusals.csv'));
  expect(refused.length).toBeGreaterThan(0);
  expect(new Set(refused.map((r) => r.reason))).toEqual(new Set(['max_exposure']));
  expect(summary.refusals.max_exposure).toBe(refused.length);
  expect(summary.metrics.trades).toBeGreaterThan(0);
});

test('the portfolio kill switch halts every bot for the rest of the day, recorded', async () => {
  const summary = await run('p-kill', { max_daily_drawdown_pct: 0.05 });
  expect(summary.killSwitches).toHaveLength(1);
  const fired = summary.killSwitches[0]!;
  expect(summaryFile(summary).kill_switches.map((k) => k.time)).toEqual([fired]);
  const all = trades(summary);
  // Nothing enters after it; what was open closes at the next bar's open with reason kill_switch (or its stop earlier).
  expect(all.filter((t) => t.entry > fired)).toEqual([]);
  for (const t of all.filter((t) => t.exit > fired)) expect([t.exit, t.reason]).toEqual([fired + BAR_MS, 'kill_switch']);
  expect(readFileSync(join(summary.outDir, 'report.html'), 'utf8')).toContain('every bot closed its position');
});

test('stored stand-in bars that differ are refused, never overwritten', async () => {
  const real = loadShippedBars()[0]!;
  const series = { market: STAND_IN_MARKET, symbol: 'XRPUSDT' };
  await writeBars(runtime.database.db, series, [real], 'test', { replace: false });
  await expect(
    buildPortfolioBacktestRequest(config({}), { symbols: ['BTCUSDT', 'XRPUSDT'], ...TIMELINE, runId: 'p-conflict' }, { db: runtime.database.db }),
  ).rejects.toThrow(/stand-in XRPUSDT differ[\s\S]*never overwritten/);
  const rows = await runtime.database.db.execute<{ n: string; open: number }>(
    sql`select count(*)::text as n, max(open) as open from bars where market = ${STAND_IN_MARKET} and symbol = 'XRPUSDT'`,
  );
  expect(rows[0]).toEqual({ n: '1', open: real.open });
});

test("cancel: every symbol's walk-forward stops and its row says cancelled", async () => {
  const prepared = await buildPortfolioBacktestRequest(
    config({}),
    { symbols: SYMBOLS, trainHours: 48, testHours: 24, retrainMinutes: 15, runId: 'p-cancel', out: join(runtime.dataDir, 'p-cancel') },
    { db: runtime.database.db },
  );
  const handle = await startPortfolioBacktest(runtime.client, prepared);
  const children = SYMBOLS.map((s) => runtime.client.workflow.getHandle(`backtest-${s}-p-cancel-${s}`));
  // Every child's row exists and says running: a state that lasts (96 trainings each), so the wait cannot miss it.
  await waitFor(
    'the walk-forwards running',
    async () =>
      (await Promise.all(SYMBOLS.map((s) => getRun(runtime.database.db, `p-cancel-${s}`)))).every((r) => r?.status === 'running') ? true : undefined,
    30_000,
    50,
  );
  await handle.cancel();
  await expect(handle.result()).rejects.toThrow();
  for (const [i, child] of children.entries()) {
    await waitFor('cancelled', async () => ((await child.describe()).status.name === 'CANCELLED' ? true : undefined), 30_000, 50);
    await waitFor('row', async () => ((await getRun(runtime.database.db, `p-cancel-${SYMBOLS[i]!}`))?.status === 'cancelled' ? true : undefined), 30_000, 50);
  }
});

test("one symbol's walk-forward failing cancels the others and fails the portfolio with its reason", async () => {
  const prepared = await buildPortfolioBacktestRequest(
    config({}),
    { symbols: SYMBOLS, trainHours: 48, testHours: 20, retrainMinutes: 15, runId: 'p-fail', out: join(runtime.dataDir, 'p-fail') },
    { db: runtime.database.db },
  );
  // SOLUSDT's stand-in disappears after the request pinned it: its walk-forward refuses the changed data at its first
  // read, while the others have 80 trainings ahead. A range no earlier case used, so no worker cache holds these bars.
  await runtime.database.db.execute(sql`delete from bars where market = ${STAND_IN_MARKET} and symbol = 'SOLUSDT'`);
  const handle = await startPortfolioBacktest(runtime.client, prepared);
  const failure: unknown = await handle.result().then(
    () => null,
    (err: unknown) => err,
  );
  expect(errorText(failure)).toMatch(/Portfolio backtest p-fail failed: .*SOLUSDT/);
  for (const s of ['BTCUSDT', 'ETHUSDT']) {
    expect((await runtime.client.workflow.getHandle(`backtest-${s}-p-fail-${s}`).describe()).status.name).toBe('CANCELLED');
  }
});
