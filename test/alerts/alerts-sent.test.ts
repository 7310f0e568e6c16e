/**
 * Every delivery of the sendAlert activity is recorded in alerts_sent (real embedded PostgreSQL, local receiver):
 * one row per event and target, a retry updating the failed target's row (failed, then sent) and leaving the
 * delivered one alone, a restarted worker not sending again what the table says was sent, dry runs recorded as
 * such, and no URL or token anywhere in the table.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAlertActivities } from '../../activities/alert-activities';
import { alertText } from '../../alerts/alert-event';
import { alertsSchema } from '../../config/alerts-schema';
import type { AlertEvent, SendAlertResult } from '../../contracts/alerts';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { alertsSent } from '../../db/alerts-schema';
import { listAlerts } from '../../db/repositories/alerts-sent';
import { startTempPostgres, type TempPostgres } from '../db/temp-postgres';
import { SAMPLES } from './fixtures';
import { Receiver } from './receiver';

const TOKEN = '4242:SECRET-bot-token';
const HOOK_PATH = '/hooks/s3cr3t-hook-path';
const TG_PATH = `/bot${TOKEN}/sendMessage`;

let pg: TempPostgres;
let handle: DatabaseHandle;
let receiver: Receiver;

beforeAll(async () => {
  [pg, receiver] = await Promise.all([startTempPostgres(), Receiver.start()]);
  await migrateDatabase(pg.url);
  handle = openDatabase(pg.url, { max: 2 });
});
afterAll(async () => {
  await handle?.close();
  await pg?.stop();
  await receiver?.stop();
});

const config = (over: Record<string, unknown> = {}) =>
  alertsSchema.parse({
    enabled: true,
    targets: [
      { type: 'webhook', name: 'ops-hook', url_env: 'S_HOOK' },
      { type: 'telegram', name: 'ops-tg', token_env: 'S_TG', chat_id_env: 'S_CHAT', api_base_url: receiver.baseUrl },
    ],
    ...over,
  });
const env = () => ({ S_HOOK: receiver.url(HOOK_PATH), S_TG: TOKEN, S_CHAT: '77' });
const silent = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function run(activities: ReturnType<typeof createAlertActivities>, event: AlertEvent, attempt = 1): Promise<SendAlertResult> {
  return new MockActivityEnvironment({ attempt }, { logger: silent }).run((e: AlertEvent) => activities.sendAlert(e), event);
}

const rowsOf = async (key: string) => (await handle.db.select().from(alertsSent)).filter((r) => r.key === key).sort((a, b) => a.target.localeCompare(b.target));

test('a failed target is recorded as failed, its retry updates the same row to sent; the delivered target is left alone', async () => {
  const event = SAMPLES.kill_switch;
  // Telegram's error echoes the token: the notifier redacts it before anything is stored.
  receiver.answer(TG_PATH, { status: 502, body: `upstream failed for ${TOKEN}` });
  const activities = createAlertActivities({ alerts: config(), env: env(), db: handle.db });
  await expect(run(activities, event)).rejects.toMatchObject({ type: 'AlertNotDelivered' });

  const afterFirst = await rowsOf(event.key);
  expect(afterFirst).toEqual([
    expect.objectContaining({ target: 'ops-hook', targetType: 'webhook', outcome: 'sent', attempts: 1, httpStatus: 200, error: null }),
    expect.objectContaining({ target: 'ops-tg', targetType: 'telegram', outcome: 'failed', attempts: 1, httpStatus: 502 }),
  ]);
  expect(afterFirst[1]!.error).toBe('HTTP 502: upstream failed for <redacted>');
  expect(afterFirst[0]).toMatchObject({
    kind: 'kill_switch',
    symbol: 'BTCUSDT',
    mode: 'paper',
    eventAt: event.at,
    text: alertText(event),
    workflowId: event.workflowId,
  });

  receiver.answer(TG_PATH, { status: 200, body: '{"ok":true}' });
  await new Promise((r) => setTimeout(r, 5)); // the retry's time differs from the first attempt's
  expect((await run(activities, event, 2)).targets).toEqual([
    { target: 'ops-hook', status: 'already-sent' },
    { target: 'ops-tg', status: 'sent' },
  ]);
  const [hook, tg] = await rowsOf(event.key);
  expect(hook).toEqual(afterFirst[0]);
  expect(tg).toMatchObject({
    outcome: 'sent',
    attempts: 2,
    error: null,
    httpStatus: 200,
    firstAttemptAt: afterFirst[1]!.firstAttemptAt,
    text: alertText(event),
  });
  expect(tg!.lastAttemptAt).toBeGreaterThan(tg!.firstAttemptAt);

  // A worker restarted since (no memory of its own) finds both targets sent in the table and sends nothing again.
  const restarted = createAlertActivities({ alerts: config(), env: env(), db: handle.db });
  expect((await run(restarted, event, 3)).targets.map((t) => t.status)).toEqual(['already-sent', 'already-sent']);
  expect(receiver.to(HOOK_PATH)).toHaveLength(1);
  expect(receiver.to(TG_PATH)).toHaveLength(2);
  expect(await rowsOf(event.key)).toEqual([hook, tg]);
});

test('a dry run is recorded per target as dry_run, and the events are listed newest first with each outcome', async () => {
  const opened = { ...SAMPLES.position_opened, at: SAMPLES.kill_switch.at + 60_000 };
  const promoted = { ...SAMPLES.retrain_promoted, at: SAMPLES.kill_switch.at + 120_000 };
  const dry = createAlertActivities({ alerts: config({ dry_run: true }), env: {}, print: () => undefined, db: handle.db });
  await run(dry, opened);
  expect((await rowsOf(SAMPLES.position_opened.key)).map((r) => [r.target, r.outcome, r.attempts])).toEqual([
    ['ops-hook', 'dry_run', 1],
    ['ops-tg', 'dry_run', 1],
  ]);
  const live = createAlertActivities({ alerts: config(), env: env(), db: handle.db });
  await run(live, promoted);

  const listed = await listAlerts(handle.db, { symbol: 'BTCUSDT', mode: 'paper' });
  // retrain_promoted has no mode: it belongs to every bot of the symbol.
  expect(listed.map((a) => a.kind)).toEqual(['retrain_promoted', 'position_opened', 'kill_switch']);
  expect(listed[1]!.targets.map((t) => `${t.target}:${t.outcome}`)).toEqual(['ops-hook:dry_run', 'ops-tg:dry_run']);
  expect(await listAlerts(handle.db, { symbol: 'ETHUSDT' })).toEqual([]);
  expect(await listAlerts(handle.db, { limit: 1 })).toHaveLength(1);
});

test('no URL, token or chat id is stored: targets are known by their configured name and type', async () => {
  const stored = JSON.stringify(await handle.db.select().from(alertsSent));
  expect(stored).toContain('ops-tg');
  for (const secret of [TOKEN, 'SECRET', 's3cr3t', receiver.baseUrl, '127.0.0.1', 'http://']) expect(stored).not.toContain(secret);
});
