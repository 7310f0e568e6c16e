/**
 * The dashboard's guards without a stack: listen options (off-localhost needs a token), the token on every
 * request and control, the control header, 400s with reasons for bad parameters, no secret in any page, and pages
 * that render an error (not a crash) while Temporal and PostgreSQL are away.
 */
import type { Database } from '../../db/client';
import { parseDashboardOptions } from '../../dashboard/options';
import { startDashboard, type Dashboard } from '../../dashboard/server';
import type { DashboardSources } from '../../dashboard/sources';

const TOKEN = 'tok-3f9a1c2e7b6d4a58';
const DB_PASSWORD = 's3cret-db-pass';

/** Every use of the database fails, as while PostgreSQL is down. */
const downDb = new Proxy(
  {},
  {
    get: () => {
      throw new Error(`PostgreSQL is down (ECONNREFUSED)`);
    },
  },
) as Database;

const downSources: DashboardSources = {
  temporal: () => Promise.reject(new Error('Temporal at 127.0.0.1:1 is not reachable')),
  db: downDb,
  namespace: 'default',
  temporalUiUrl: 'http://127.0.0.1:8233',
  backtestsDir: '/nonexistent',
};

interface Answer {
  readonly statusCode: number;
  readonly body: string;
  readonly headers: Headers;
  json<T>(): T;
}

/** A real HTTP request to a listening dashboard (fastify.inject needs an ESM-only package jest cannot load). */
async function call(d: Dashboard, opts: { url: string; method?: string; headers?: Record<string, string>; payload?: object }): Promise<Answer> {
  const res = await fetch(new URL(opts.url.replace(/^\//, ''), d.url), {
    method: opts.method ?? 'GET',
    redirect: 'manual',
    headers: { ...(opts.payload ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(opts.payload ? { body: JSON.stringify(opts.payload) } : {}),
    signal: AbortSignal.timeout(5_000),
  });
  // The event stream never ends: its status and headers are all a test needs.
  const body = res.headers.get('content-type')?.startsWith('text/event-stream') ? '' : await res.text();
  return { statusCode: res.status, body, headers: res.headers, json: <T>() => JSON.parse(body) as T };
}

describe('listen options', () => {
  test('localhost by default, without a token', () => {
    expect(parseDashboardOptions({})).toEqual({ host: '127.0.0.1', port: 8300, token: undefined });
  });
  test('off localhost without a token is refused, with the reason', () => {
    expect(() => parseDashboardOptions({ host: '0.0.0.0' })).toThrow(/needs DASHBOARD_TOKEN/);
    expect(parseDashboardOptions({ host: '0.0.0.0', token: TOKEN }).token).toBe(TOKEN);
  });
  test('short tokens and bad ports are refused', () => {
    expect(() => parseDashboardOptions({ host: '0.0.0.0', token: 'short' })).toThrow(/at least 16/);
    expect(() => parseDashboardOptions({ port: '70000' })).toThrow(/port/);
    expect(() => parseDashboardOptions({ port: 'abc' })).toThrow(/port/);
  });
});

describe('with a token', () => {
  let d: Dashboard;
  const app = { inject: (o: Parameters<typeof call>[1]) => call(d, o) };
  beforeAll(async () => {
    d = await startDashboard(downSources, { host: '127.0.0.1', port: 0, token: TOKEN });
  });
  afterAll(() => d.close());

  test('every request without the right token gets 401', async () => {
    for (const url of ['/', '/models', '/backtests', '/sweeps', '/sweeps/s1/report.html', '/bots/BTCUSDT/paper', '/api/bots', '/events/bots']) {
      const none = await app.inject({ url });
      expect([url, none.statusCode]).toEqual([url, 401]);
      expect(none.json<{ error: string }>().error).toMatch(/needs its token/);
      const wrong = await app.inject({ url, headers: { authorization: 'Bearer tok-wrong-but-long-enough' } });
      expect([url, wrong.statusCode]).toEqual([url, 401]);
    }
  });

  test('every control without the token gets 401, even with the control header', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/bots/BTCUSDT/paper/operate', headers: { 'x-dashboard': '1' }, payload: { command: 'pause' } });
    expect(res.statusCode).toBe(401);
    const cookieWrong = await app.inject({
      method: 'POST',
      url: '/api/models/rollback',
      headers: { 'x-dashboard': '1', cookie: 'dashboard_token=nope-nope-nope-nope' },
      payload: { symbol: 'BTCUSDT' },
    });
    expect(cookieWrong.statusCode).toBe(401);
  });

  test('?token= sets an HttpOnly cookie and redirects to the address without it; the cookie then opens every page', async () => {
    const visit = await app.inject({ url: `/models?token=${TOKEN}` });
    expect(visit.statusCode).toBe(303);
    expect(visit.headers.get('location')).toBe('/models');
    const cookie = String(visit.headers.get('set-cookie'));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await app.inject({ url: '/models', headers: { cookie: cookie.split(';')[0]! } });
    expect(page.statusCode).toBe(200);
    // The page shows the outage, and never the token.
    expect(page.body).toContain('PostgreSQL is down');
    expect(page.body).not.toContain(TOKEN);
  });

  test('with the bearer token, pages render the outages of Temporal and PostgreSQL instead of failing', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const bots = await app.inject({ url: '/', headers: auth });
    expect(bots.statusCode).toBe(200);
    expect(bots.body).toContain('Temporal at 127.0.0.1:1 is not reachable');
    const bot = await app.inject({ url: '/bots/BTCUSDT/paper', headers: auth });
    expect(bot.statusCode).toBe(200);
    expect(bot.body).toContain('PostgreSQL is down');
    expect(bot.body).not.toContain(TOKEN);
    const api = await app.inject({ url: '/api/bots', headers: auth });
    expect(api.statusCode).toBe(503);
    const operate = await app.inject({
      method: 'POST',
      url: '/api/bots/BTCUSDT/paper/operate',
      headers: { ...auth, 'x-dashboard': '1' },
      payload: { command: 'pause' },
    });
    expect(operate.statusCode).toBe(503);
    expect(operate.json<{ error: string }>().error).toMatch(/not reachable/);
  });
});

describe('bad requests (localhost, no token)', () => {
  let d: Dashboard;
  const app = { inject: (o: Parameters<typeof call>[1]) => call(d, o) };
  beforeAll(async () => {
    d = await startDashboard(downSources, { host: '127.0.0.1', port: 0, token: undefined });
  });
  afterAll(() => d.close());
  const post = (url: string, payload: object, headers: Record<string, string> = { 'x-dashboard': '1' }) =>
    app.inject({ method: 'POST', url, headers, payload });

  test('a POST without the control header is refused (no cross-site control)', async () => {
    const res = await post('/api/bots/BTCUSDT/paper/operate', { command: 'pause' }, {});
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: string }>().error).toMatch(/x-dashboard/);
  });

  test.each([
    ['/api/bots/btc/paper/operate', { command: 'pause' }, /symbol must be a Binance symbol/],
    ['/api/bots/BTCUSDT/demo/operate', { command: 'pause' }, /mode/],
    ['/api/bots/BTCUSDT/paper/operate', { command: 'sell-everything' }, /command/],
    ['/api/bots/BTCUSDT/paper/operate', { command: 'pause', extra: 1 }, /extra/],
    ['/api/models/promote', { version: '../../etc/passwd' }, /not a model version/],
    ['/api/models/rollback', {}, /symbol/],
  ])('POST %s %j -> 400 with the reason', async (url, payload, reason) => {
    const res = await post(url, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toMatch(reason);
  });

  test('bad page parameters get 400, unknown pages 404', async () => {
    expect((await app.inject({ url: '/bots/BTCUSDT/demo' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/bots?mode=x' })).statusCode).toBe(400);
    const traversal = await app.inject({ url: '/backtests/..%2F..%2Fetc/report.html' });
    expect(traversal.statusCode).toBe(400);
    expect(traversal.json<{ error: string }>().error).toMatch(/run id/);
    const sweepTraversal = await app.inject({ url: '/sweeps/..%2F..%2Fetc/report.html' });
    expect(sweepTraversal.statusCode).toBe(400);
    expect(sweepTraversal.json<{ error: string }>().error).toMatch(/sweep id/);
    expect((await app.inject({ url: '/nope' })).statusCode).toBe(404);
  });

  test('it binds 127.0.0.1 and no page carries the database password of the environment', async () => {
    expect(d.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = `postgres://bot:${DB_PASSWORD}@127.0.0.1:1/bot`;
    try {
      for (const url of ['/', '/models', '/backtests', '/sweeps', '/bots/BTCUSDT/paper']) {
        const page = await app.inject({ url });
        expect([url, page.statusCode]).toEqual([url, 200]);
        expect(page.body).not.toContain(DB_PASSWORD);
      }
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });
});
