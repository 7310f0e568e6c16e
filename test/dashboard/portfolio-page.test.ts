/**
 * The Portfolio page, /api/portfolio and /events/portfolio over HTTP: a real PortfolioWorkflow (planPortfolio +
 * startPortfolio, no bots) on Temporal's time-skipping test server, fed one minute by minuteReport signals, and a
 * real embedded PostgreSQL holding the refusals the bots would have recorded.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { planPortfolio, startPortfolio } from '../../app/start-portfolio';
import { loadConfig } from '../../config/load-config';
import { minuteReportSignal, portfolioStatusQuery, portfolioWorkflowId, type PortfolioStatus } from '../../contracts/portfolio';
import { startDashboard, type Dashboard } from '../../dashboard/server';
import type { DashboardSources } from '../../dashboard/sources';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { decisions } from '../../db/schema';
import { startTempPostgres, type TempPostgres } from '../db/temp-postgres';
import { startTimeSkippingEnv, type TimeSkippingEnv } from '../helpers/time-skipping-env';

jest.setTimeout(120_000);

const T = Date.UTC(2026, 11, 3, 10, 15);
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

let ts: TimeSkippingEnv;
let pg: TempPostgres;
let db: DatabaseHandle;
let dashboard: Dashboard;
let releaseWorkers: () => void = () => undefined;
let workersDone: Promise<unknown>;

beforeAll(async () => {
  [ts, pg] = await Promise.all([startTimeSkippingEnv(), startTempPostgres()]);
  await migrateDatabase(pg.url);
  db = openDatabase(pg.url, { max: 2 });
  const released = new Promise<void>((resolve) => (releaseWorkers = resolve));
  workersDone = ts.withWorkers({}, () => released);
  const client: Client = ts.client;
  const sources: DashboardSources = {
    temporal: () => Promise.resolve(client),
    db: db.db,
    namespace: ts.env.namespace ?? 'default',
    temporalUiUrl: null,
    backtestsDir: '/nonexistent',
  };
  dashboard = await startDashboard(sources, { host: '127.0.0.1', port: 0, token: undefined }, { pollMs: 200 });
});

afterAll(async () => {
  await dashboard?.close();
  releaseWorkers();
  await workersDone;
  await ts?.stop();
  await db?.close();
  await pg?.stop();
});

const get = async (path: string) => {
  const res = await fetch(new URL(path, dashboard.url), { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
};
const getJson = async <T>(path: string) => {
  const { status, text } = await get(path);
  return { status, body: JSON.parse(text) as T };
};

const ROOT = join(__dirname, '..', '..');

/** `npm run bot -- <args>` against the test server, run asynchronously: the workers answering it run in this process. */
function bot(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: ts.env.address, TEMPORAL_NAMESPACE: ts.env.namespace ?? 'default' };
  return new Promise((resolve) => {
    execFile(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'scripts', 'bot.ts'), ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }),
    );
  });
}

/** The first event of an SSE stream, parsed. */
async function firstEvent<T>(path: string): Promise<T> {
  const abort = new AbortController();
  const res = await fetch(new URL(path, dashboard.url), { signal: abort.signal });
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended: ${text}`);
      text += Buffer.from(value).toString('utf8');
      const data = /^data: (.*)$/m.exec(text);
      if (data) return JSON.parse(data[1]!) as T;
    }
  } finally {
    abort.abort();
  }
}

describe('before any portfolio runs', () => {
  test('a bad mode gets 400 with the reason, on the API, the page and the stream', async () => {
    for (const path of ['api/portfolio?mode=demo', 'portfolio?mode=demo', 'events/portfolio?mode=demo']) {
      const { status, body } = await getJson<{ error: string }>(path);
      expect([path, status]).toEqual([path, 400]);
      expect(body.error).toMatch(/^mode: /);
    }
  });

  test('no portfolio workflow: 404 JSON from the API, a note on the page (with the nav link)', async () => {
    const none = await getJson<{ error: string }>('api/portfolio?mode=paper');
    expect(none).toEqual({ status: 404, body: { error: 'no portfolio workflow portfolio-paper in Temporal' } });
    const page = await get('portfolio');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/">Bots</a><a href="/portfolio">Portfolio</a>');
    expect(page.text).toContain('No portfolio-paper workflow in Temporal');
  });

  test('Temporal away: the page shows the reason, the API answers 503', async () => {
    const down = await startDashboard(
      {
        temporal: () => Promise.reject(new Error('Temporal at 127.0.0.1:1 is not reachable')),
        db: db.db,
        namespace: 'default',
        temporalUiUrl: null,
        backtestsDir: '/x',
      },
      { host: '127.0.0.1', port: 0, token: undefined },
    );
    try {
      const page = await fetch(new URL('portfolio', down.url));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div class="err">Temporal: Temporal at 127.0.0.1:1 is not reachable</div>');
      const api = await fetch(new URL('api/portfolio', down.url));
      expect(api.status).toBe(503);
      expect(await api.json()).toEqual({ error: 'Temporal: Temporal at 127.0.0.1:1 is not reachable' });
    } finally {
      await down.close();
    }
  });
});

describe('a paper portfolio of two symbols after one minute', () => {
  beforeAll(async () => {
    const base = loadConfig();
    const config = { ...base, portfolio: { ...base.portfolio, max_positions: 1, max_gross_exposure: 1.05 } };
    const plan = planPortfolio(config, SYMBOLS, 'paper', { collectMs: 200 });
    await startPortfolio(ts.client, plan);
    const handle = ts.client.workflow.getHandle(portfolioWorkflowId('paper'));
    const half = base.execution.base_capital / 2;
    // BTCUSDT holds a position; ETHUSDT asks to enter and is refused: one position at most.
    await handle.signal(minuteReportSignal, { symbol: 'BTCUSDT', openTime: T, book: { symbol: 'BTCUSDT', equity: half + 40, notional: half }, request: null });
    await handle.signal(minuteReportSignal, {
      symbol: 'ETHUSDT',
      openTime: T,
      book: { symbol: 'ETHUSDT', equity: half, notional: 0 },
      request: { symbol: 'ETHUSDT', side: 'LONG', prediction: 0.0015, notional: half },
    });
    const deadline = Date.now() + 20_000;
    let status: PortfolioStatus = await handle.query(portfolioStatusQuery);
    while (status.lastServed !== T && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = await handle.query(portfolioStatusQuery);
    }
    expect(status.lastServed).toBe(T);
    const row = { modelVersion: 'm1', action: 'hold', barsBehind: 0, equity: half };
    await db.db.insert(decisions).values([
      { ...row, symbol: 'ETHUSDT', mode: 'paper', openTime: T, prediction: 0.0015, reason: 'max_positions' },
      { ...row, symbol: 'BTCUSDT', mode: 'paper', openTime: T - 60_000, prediction: -0.0009, reason: 'portfolio_unavailable' },
      { ...row, symbol: 'BTCUSDT', mode: 'paper', openTime: T - 120_000, prediction: 0.0001, reason: 'model' },
      { ...row, symbol: 'ETHUSDT', mode: 'live', openTime: T, prediction: 0.002, reason: 'max_exposure' },
      { ...row, symbol: 'ETHUSDT', mode: 'paper', openTime: T - 8 * 86_400_000, prediction: 0.002, reason: 'max_exposure' },
    ]);
  });

  interface ApiPortfolio {
    workflowId: string;
    execution: string;
    status: PortfolioStatus;
    bots: { symbol: string; bot: unknown; error: string | null }[];
    refusals: { recent: { symbol: string; openTime: number; reason: string; prediction: number }[]; counts: Record<string, number> };
    refusalsError: string | null;
  }

  test('/api/portfolio: the status of the served minute, its refusal, each bot, and the refusals the bots recorded', async () => {
    const { status, body } = await getJson<ApiPortfolio>('api/portfolio?mode=paper');
    expect(status).toBe(200);
    expect(body.workflowId).toBe('portfolio-paper');
    expect(body.execution).toBe('RUNNING');
    const s = body.status;
    const capital = loadConfig().execution.base_capital;
    expect(s.equity).toBeCloseTo(capital + 40, 6);
    expect(s.positions).toBe(1);
    expect(s.rules).toMatchObject({ maxPositions: 1, maxGrossExposure: 1.05 });
    expect(s.grossExposure).toBeCloseTo(capital / 2 / (capital + 40), 6);
    expect(s.halted).toBe(false);
    expect(s.books.map((b) => b.symbol)).toEqual(SYMBOLS);
    expect(s.refusalCounts).toEqual({ max_positions: 1 });
    expect(s.recentRefusals).toEqual([{ openTime: T, symbol: 'ETHUSDT', reason: 'max_positions', prediction: 0.0015, notional: capital / 2 }]);
    expect(body.bots.map((b) => [b.symbol, b.bot, b.error])).toEqual([
      ['BTCUSDT', null, 'no bot workflow in Temporal'],
      ['ETHUSDT', null, 'no bot workflow in Temporal'],
    ]);
    expect(body.refusalsError).toBeNull();
    expect(body.refusals.recent.map((r) => [r.symbol, r.openTime, r.reason, r.prediction])).toEqual([
      ['ETHUSDT', T, 'max_positions', 0.0015],
      ['BTCUSDT', T - 60_000, 'portfolio_unavailable', -0.0009],
    ]);
    expect(body.refusals.counts).toEqual({ max_positions: 1, portfolio_unavailable: 1 });
    expect((await getJson<{ error: string }>('api/portfolio?mode=live')).status).toBe(404);
  });

  test('/portfolio: the figures, each symbol linked to its bot page, the recorded refusals', async () => {
    const { status, text } = await get('portfolio?mode=paper');
    expect(status).toBe(200);
    expect(text).toContain('<h1>Portfolio (paper)</h1>');
    expect(text).toContain('<span data-field="pf-positions">1 / 1</span>');
    expect(text).toContain('<span data-field="pf-exposure">0.498 / 1.050</span>');
    expect(text).toContain('<span data-field="pf-halted">no');
    expect(text).toContain('<span data-reason="max_positions">max_positions 1</span>');
    const symbols = text.slice(text.indexOf('id="portfolio-symbols"'), text.indexOf('<h2>Recent refusals'));
    expect(symbols).toContain('<a href="/bots/BTCUSDT/paper">BTCUSDT</a></td><td>0.500</td>');
    expect(symbols).toContain('<a href="/bots/ETHUSDT/paper">ETHUSDT</a>');
    expect(symbols).toContain('<span data-field="pf-ETHUSDT-notional">flat</span>');
    expect(symbols).toContain('no bot workflow in Temporal');
    const refusals = text.slice(text.indexOf('<h2>Recent refusals'));
    const rows = refusals.split('<tr>').slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('<td>2026-12-03 10:15</td><td><a href="/bots/ETHUSDT/paper">ETHUSDT</a></td><td>max_positions</td><td>15.00 bp</td>');
    expect(rows[1]).toContain('portfolio_unavailable');
    expect(text).toContain("new EventSource('/events/portfolio?mode=paper')");
    expect(text).toContain("new EventSource('/events/bots')");
  });

  test('/events/portfolio sends the same fields live', async () => {
    const event = await firstEvent<{ workflowId: string; found: boolean; fields: Record<string, string> }>('events/portfolio?mode=paper');
    expect(event.workflowId).toBe('portfolio-paper');
    expect(event.found).toBe(true);
    expect(event.fields['pf-positions']).toBe('1 / 1');
    expect(event.fields['pf-refusals']).toContain('portfolio_unavailable');
    const live = await firstEvent<{ found: boolean }>('events/portfolio?mode=live');
    expect(live.found).toBe(false);
  });

  test('npm run bot -- status without --symbol prints the portfolio and a line per bot; --json the structured form', async () => {
    const text = await bot(['status']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('portfolio-paper  (paper; workflow RUNNING)');
    expect(text.stdout).toContain('  positions  1 / 1 (max_positions)');
    expect(text.stdout).toContain('  refusals   max_positions 1, max_exposure 0, portfolio_halted 0, portfolio_unavailable 0');
    expect(text.stdout).toContain('  bot-ETHUSDT-paper      no bot workflow in Temporal');
    const json = await bot(['status', '--json']);
    const parsed = JSON.parse(json.stdout) as { workflowId: string; portfolio: { status: PortfolioStatus }; bots: { symbol: string; error: string }[] };
    expect(parsed.workflowId).toBe('portfolio-paper');
    expect(parsed.portfolio.status.positions).toBe(1);
    expect(parsed.bots.map((b) => b.error)).toEqual(['no bot workflow in Temporal', 'no bot workflow in Temporal']);
    // With --symbol, the bot as before; the live mode has no portfolio, so its default bot is looked for.
    expect((await bot(['status', '--symbol', 'BTCUSDT'])).stderr).toContain("no bot workflow 'bot-BTCUSDT-paper' in Temporal");
    expect((await bot(['status', '--mode', 'live'])).stderr).toContain("no bot workflow 'bot-BTCUSDT-live' in Temporal");
  });

  test('npm run bot -- portfolio-resume signals the portfolio; without one it says so', async () => {
    const resumed = await bot(['portfolio-resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('portfolio-paper: resume sent: the portfolio was not halted');
    const none = await bot(['portfolio-resume', '--mode', 'live']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no portfolio workflow 'portfolio-live' in Temporal");
  });

  test('npm run bot -- portfolio-stop stops the whole deployment: every bot of the portfolio (none runs here), then the portfolio', async () => {
    const stopped = await bot(['portfolio-stop']);
    // Temporal's time-skipping test server has no schedules: deleting the retrain schedules fails here, and says so.
    expect(stopped.stderr).toContain('could not stop schedule retrain-BTCUSDT, schedule retrain-ETHUSDT');
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toMatch(/^bot-BTCUSDT-paper not (found|running)$/m);
    expect(stopped.stdout).toMatch(/^portfolio-paper stopped$/m);
    const again = await bot(['portfolio-stop']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('portfolio-paper is already closed');
  });
});
