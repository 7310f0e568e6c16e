/**
 * The dashboard in a real headless Chromium on the real stack (Temporal dev server, embedded PostgreSQL, LightGBM,
 * the local exchange in manual mode) with a paper bot holding a position: the Bots page lists it with the equity
 * and position of its `status` query, its page draws the charts, pause (confirmed) pauses the bot and the page
 * follows live, and bound off localhost the dashboard needs its token. Then, on the same stack, a live bot whose
 * exchange account holds a position opened by hand: its page shows the mismatch, Adopt (confirmed) resolves it.
 * No console errors anywhere. The browser runs in browser-driver.ts and reconcile-driver.ts (child processes: see
 * there why).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRestClient } from '../../binance/exchange-client';
import { statusQuery, type BotStatus } from '../../contracts/bot';
import { startBot } from '../../app/start-bot';
import { tradingParamsFromConfig } from '../../app/trading-params';
import { startDashboard, type Dashboard } from '../../dashboard/server';
import { sourcesFromClient, type DashboardSources } from '../../dashboard/sources';
import { protectiveLevels } from '../../domain/trading';
import { configureCcxtForLocal } from '../../local-exchange/ccxt-config';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { HISTORY_BARS, localSettings, paperTestConfig, releaseUntil, SYMBOL, waitForStatus, type BotHandle } from '../bot/fixtures/bot-harness';
import type { DriverInput, DriverResult } from './browser-driver';
import type { ReconcileDriverInput, ReconcileDriverResult } from './reconcile-driver';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const TOKEN = 'dash-token-8c1f0e5a9b2d';
const config = paperTestConfig();
let runtime: TestRuntime;
let exchange: LocalExchange;
let bot: BotHandle;
let liveBot: BotHandle | undefined;
let local: Dashboard;
let open: Dashboard;
let sources: DashboardSources;

beforeAll(async () => {
  const bars = loadShippedBars();
  [runtime, exchange] = await Promise.all([startTestRuntime(), LocalExchange.start({ bars, startIndex: HISTORY_BARS, speed: 0, port: 0 })]);
  bot = await startBot(runtime.client, runtime.database.db, {
    config,
    symbol: SYMBOL,
    mode: 'paper',
    exchange: localSettings(exchange),
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
  });
  await exchange.waitForKlineSubscribers(1);
  await waitForStatus(bot, 'the bot runs', (s) => s.barsProcessed === 0);
  // The thresholds of paperTestConfig trade often: closed trades for the charts and tables, and an open position.
  await releaseUntil(exchange, bot, 'two trades closed and a position open', (s) => s.tradesClosed >= 2 && s.position !== null, 120);
  sources = sourcesFromClient(runtime.client, {
    db: runtime.database.db,
    namespace: 'default',
    temporalUiUrl: runtime.infra.temporal.uiUrl ?? null,
    backtestsDir: runtime.dataDir,
  });
  local = await startDashboard(sources, { host: '127.0.0.1', port: 0, token: undefined }, { pollMs: 500 });
  open = await startDashboard(sources, { host: '0.0.0.0', port: 0, token: TOKEN }, { pollMs: 500 });
});

afterAll(async () => {
  await local?.close();
  await open?.close();
  for (const b of [bot, liveBot]) if (b && (await b.describe()).status.name === 'RUNNING') await b.terminate('test finished');
  await exchange?.stop();
  await runtime?.stop();
});

const status = (): Promise<BotStatus> => bot.query(statusQuery);

function drive(input: DriverInput): Promise<DriverResult>;
function drive(input: ReconcileDriverInput, driver: 'reconcile-driver.ts'): Promise<ReconcileDriverResult>;
async function drive(input: object, driver = 'browser-driver.ts'): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, driver), JSON.stringify(input)], {
    cwd: ROOT,
    timeout: 90_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('DRIVER_RESULT '));
  if (line === undefined) throw new Error(`the browser driver printed no result:\n${stdout}`);
  return JSON.parse(line.slice('DRIVER_RESULT '.length)) as unknown;
}

test('in Chromium: the bot is listed as its status query says, pause (confirmed) pauses it live, off localhost the token is required', async () => {
  const before = await status();
  expect(before.position).not.toBeNull();
  expect(before.paused).toBe(false);
  const tokenUrl = open.url.replace('0.0.0.0', '127.0.0.1');

  // A control without the token is refused and changes nothing.
  const refused = await fetch(`${tokenUrl}api/bots/${SYMBOL}/paper/operate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-dashboard': '1' },
    body: JSON.stringify({ command: 'pause' }),
  });
  expect(refused.status).toBe(401);
  expect((await status()).paused).toBe(false);

  const r = await drive({ url: local.url, tokenUrl, token: TOKEN, workflowId: bot.workflowId, botPath: `bots/${SYMBOL}/paper` });
  const after = await status();

  // The Bots page shows what the status query says (no bar was released meanwhile).
  const p = before.position!;
  const levels = protectiveLevels(p, tradingParamsFromConfig(config));
  expect(r.list.fields.equity).toBe(before.equity.toFixed(2));
  expect(r.list.fields.state).toBe('trading');
  expect(r.list.fields.position).toBe(`${p.side} ${p.qty.toFixed(4)} @ ${p.entryPrice.toFixed(2)} SL ${levels.stop.toFixed(2)} TP ${levels.take.toFixed(2)}`);
  expect(r.list.fields.models).toContain(before.modelVersion);
  expect(r.list.live).toMatch(/^live \d\d:\d\d:\d\d UTC$/);
  expect(r.list.errors).toEqual([]);

  // The bot's page: charts drawn, tables there; pause asked for a confirmation, paused the bot, no reload.
  expect(r.bot.canvases).toBeGreaterThanOrEqual(3);
  expect(r.bot.headings).toEqual(
    expect.arrayContaining([expect.stringMatching(/^Trades \(\d+/), 'Decisions (latest 30)', 'Retrain events', 'Reconciliation events']),
  );
  expect(r.bot.dialogs).toEqual([`pause the paper bot ${SYMBOL}?`]);
  expect(r.bot.controlResult).toBe('pause: done');
  expect(after.paused).toBe(true);
  expect(after.equity).toBe(before.equity);
  expect(r.bot.stateAfter).toBe('paused');
  expect(r.bot.reloaded).toBe(false);
  expect(r.bot.errors).toEqual([]);

  // Off localhost: 401 without the token; with it the page opens, the address loses the token, the page never has it.
  expect(r.token.withoutStatus).toBe(401);
  expect(r.token.withStatus).toBe(200);
  expect(r.token.finalUrl).toBe(tokenUrl);
  expect(r.token.listsBot).toBe(true);
  expect(r.token.tokenInPage).toBe(false);
  expect(r.token.errors).toEqual([]);

  // The README's picture is refreshed on request only: a test run must not change tracked files.
  if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') copyFileSync(r.bot.screenshot, join(ROOT, 'docs', 'dashboard-bot.png'));
});

test("the Models page shows the bot's champion, the history API the bot's bars, and a run's report.html is served", async () => {
  const s = await status();
  const models = await (await fetch(`${local.url}models`)).text();
  expect(models).toContain(s.modelVersion);
  expect(models).toMatch(new RegExp(`${s.modelVersion}</td><td>${SYMBOL}</td><td><b>champion</b>`));

  const api = (await (await fetch(`${local.url}api/bots/${SYMBOL}/paper/history`)).json()) as { history: { decisions: { openTime: number }[] } };
  expect(api.history.decisions).toHaveLength(s.barsProcessed);
  expect(api.history.decisions.at(-1)?.openTime).toBe(s.lastBar?.openTime);

  // A result folder without a database row (backtests/<id>/) is served too; other names are refused.
  mkdirSync(join(runtime.dataDir, 'bt-dash-1'), { recursive: true });
  writeFileSync(join(runtime.dataDir, 'bt-dash-1', 'report.html'), '<html><body>report bt-dash-1</body></html>');
  const report = await fetch(`${local.url}backtests/bt-dash-1/report.html`);
  expect(report.status).toBe(200);
  expect(await report.text()).toContain('report bt-dash-1');
  expect((await fetch(`${local.url}backtests/bt-dash-2/report.html`)).status).toBe(404);
});

test('in Chromium: a live bot shows the mismatch of a position opened by hand; Adopt (confirmed) resolves it live', async () => {
  // By hand, on the bot's own account (in isolated margin: a live start refuses a position in cross).
  const rest = configureCcxtForLocal(createRestClient(localSettings(exchange), { apiKey: exchange.apiKey, secret: exchange.apiSecret }), exchange.baseUrl);
  try {
    await rest.setMarginMode('isolated', 'BTC/USDT:USDT');
    await rest.createOrder('BTC/USDT:USDT', 'market', 'sell', 0.01);
  } finally {
    await rest.close();
  }
  // Thresholds it never reaches: the only position is the hand's. The champion trained above is reused.
  const liveConfig = { ...config, trading: { ...config.trading, entry_threshold_bps: 5000, exit_threshold_bps: 5000 } };
  const handle = await startBot(runtime.client, runtime.database.db, {
    config: liveConfig,
    symbol: SYMBOL,
    mode: 'live',
    exchange: localSettings(exchange),
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
  });
  liveBot = handle;
  await waitForStatus(handle, 'the check at start finds the mismatch', (s) => s.reconciliation?.status === 'mismatch', 60_000);

  // The bot adopts at its next bar: released here once the page's Adopt has reached it.
  const released = waitForStatus(handle, "the page's adopt", (s) => s.reconciliation?.resolving === 'adopt', 60_000).then(() => exchange.advance(1));
  const [r] = await Promise.all([drive({ url: `${local.url}bots/${SYMBOL}/live` }, 'reconcile-driver.ts'), released]);
  const after = await handle.query(statusQuery);

  expect(r.before).toMatch(/^Reconciliation: mismatch checked .*: position bot flat, exchange SHORT 0\.01 adopt ?flatten$/);
  expect(r.adoptButtons).toBe(1);
  expect(r.dialogs).toEqual([`adopt the live bot ${SYMBOL}?`]);
  expect(r.controlResult).toBe('adopt: done');
  expect(r.after).toMatch(/^Reconciliation: ok checked /);
  expect(r.buttonsAfter).toBe(0);
  expect(r.reloaded).toBe(false);
  expect(r.errors).toEqual([]);
  expect(after.reconciliation).toMatchObject({ status: 'ok', differences: [], resolving: null });
  expect(after.position).toMatchObject({ side: 'SHORT', qty: 0.01, modelVersion: 'adopted' });
});
