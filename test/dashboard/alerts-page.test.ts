/**
 * The Alerts page, a bot page's alerts and the Models page's status history over HTTP, read from a real embedded
 * PostgreSQL (Temporal away: those pages still render what the database has).
 */
import { startDashboard, type Dashboard } from '../../dashboard/server';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { recordDeliveries, type AlertDelivery } from '../../db/repositories/alerts-sent';
import { insertModel, setModelStatus } from '../../db/repositories/models';
import { startTempPostgres, type TempPostgres } from '../db/temp-postgres';

const T = Date.UTC(2026, 11, 3, 9, 30);
let pg: TempPostgres;
let handle: DatabaseHandle;
let dashboard: Dashboard;

const delivery = (over: Partial<AlertDelivery>): AlertDelivery => ({
  key: 'bot-BTCUSDT-live:kill_switch:1',
  target: 'ops-hook',
  targetType: 'webhook',
  kind: 'kill_switch',
  workflowId: 'bot-BTCUSDT-live',
  symbol: 'BTCUSDT',
  mode: 'live',
  eventAt: T,
  text: '[BTCUSDT live] KILL SWITCH: equity <9690>',
  outcome: 'sent',
  error: null,
  httpStatus: 200,
  at: T + 1_000,
  ...over,
});

beforeAll(async () => {
  pg = await startTempPostgres();
  await migrateDatabase(pg.url);
  handle = openDatabase(pg.url, { max: 2 });
  await recordDeliveries(handle.db, [
    delivery({}),
    delivery({ target: 'ops-tg', targetType: 'telegram', outcome: 'failed', error: 'HTTP 502: bad gateway', httpStatus: 502 }),
    delivery({
      key: 'bot-ETHUSDT-paper:bot_paused:2',
      kind: 'bot_paused',
      workflowId: 'bot-ETHUSDT-paper',
      symbol: 'ETHUSDT',
      mode: 'paper',
      eventAt: T + 60_000,
      text: '[ETHUSDT paper] bot paused: operator pause',
    }),
  ]);
  // The Telegram retry succeeds: the same row, now sent after 2 attempts.
  await recordDeliveries(handle.db, [delivery({ target: 'ops-tg', targetType: 'telegram', at: T + 5_000 })]);
  await insertModel(handle.db, {
    version: 'BTCUSDT-20261203T0900-abcd1234',
    symbol: 'BTCUSDT',
    trainStart: T - 86_400_000,
    trainEnd: T,
    horizon: 10,
    params: {},
    metrics: { rmse: 0.001, directionalAccuracy: 0.52, ic: 0.03, n: 100, bestIteration: 5, nTrain: 100, nValid: 20 },
    featureReference: { version: 1, nRows: 100, features: [] },
    featureImportance: {},
    modelText: 'tree',
    statusChangedAt: T,
  });
  await setModelStatus(handle.db, 'BTCUSDT-20261203T0900-abcd1234', 'champion', T + 60_000, { reason: 'first champion (initial training)' });
  const sources = {
    temporal: () => Promise.reject(new Error('Temporal at 127.0.0.1:1 is not reachable')),
    db: handle.db,
    namespace: 'default',
    temporalUiUrl: null,
    backtestsDir: '/nonexistent',
  };
  dashboard = await startDashboard(sources, { host: '127.0.0.1', port: 0, token: undefined });
});

afterAll(async () => {
  await dashboard?.close();
  await handle?.close();
  await pg?.stop();
});

const get = async (path: string) => {
  const res = await fetch(new URL(path, dashboard.url), { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, html: await res.text() };
};

test('the Alerts page lists the latest alerts first, each with every target outcome, escaped', async () => {
  const { status, html } = await get('alerts');
  expect(status).toBe(200);
  expect(html).toContain('<a href="/alerts">Alerts</a>');
  const rows = html.split('<tr>').slice(2);
  expect(rows).toHaveLength(2);
  expect(rows[0]).toContain('[ETHUSDT paper] bot paused: operator pause');
  expect(rows[1]).toContain('2026-12-03 09:30</td><td>BTCUSDT</td><td>live</td><td>kill_switch</td>');
  expect(rows[1]).toContain('KILL SWITCH: equity &lt;9690&gt;');
  expect(rows[1]).toContain('ops-hook (webhook) sent');
  expect(rows[1]).toContain('ops-tg (telegram) sent after 2 attempts');
});

test("a bot's page shows that bot's alerts only", async () => {
  const { status, html } = await get('bots/BTCUSDT/live');
  expect(status).toBe(200);
  expect(html).toContain('Temporal at 127.0.0.1:1 is not reachable');
  const section = html.slice(html.indexOf('<h2>Alerts (latest)</h2>'));
  expect(section).toContain('kill_switch');
  expect(section).not.toContain('ETHUSDT');
  expect((await get('bots/ETHUSDT/live')).html).toContain('no alerts sent for this bot');
});

test("the Models page shows each model's status changes", async () => {
  const { html } = await get('models');
  expect(html).toContain('<li data-status-event>2026-12-03 09:30 registered → <b>candidate</b> (registered)</li>');
  expect(html).toContain('<li data-status-event>2026-12-03 09:31 candidate → <b>champion</b> (first champion (initial training))</li>');
});
