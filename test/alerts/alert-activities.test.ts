/**
 * The sendAlert activity in the SDK's activity environment, against a local receiver: delivery, the failure that
 * makes Temporal retry (and the retry that then reaches only the failed target), permanent failures, the
 * enabled/filter switches, a bad event, and the settings workflows read.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAlertActivities } from '../../activities/alert-activities';
import { alertText } from '../../alerts/alert-event';
import { alertsSchema } from '../../config/alerts-schema';
import { AlertConfigError } from '../../config/alert-secrets';
import type { AlertEvent, SendAlertResult } from '../../contracts/alerts';
import { SAMPLES } from './fixtures';
import { Receiver } from './receiver';

let receiver: Receiver;
beforeEach(async () => {
  receiver = await Receiver.start();
});
afterEach(async () => {
  await receiver.stop();
});

const config = (over: Record<string, unknown> = {}) =>
  alertsSchema.parse({
    enabled: true,
    targets: [
      { type: 'webhook', name: 'hook', url_env: 'A_HOOK' },
      { type: 'telegram', name: 'tg', token_env: 'A_TG', chat_id_env: 'A_CHAT', api_base_url: receiver.baseUrl },
    ],
    ...over,
  });
const env = () => ({ A_HOOK: receiver.url('/hook'), A_TG: '9:T', A_CHAT: '77' });

const silent = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Runs sendAlert as attempt `attempt` of an activity (its failures are the assertions, not log lines). */
function run(activities: ReturnType<typeof createAlertActivities>, event: AlertEvent, attempt = 1): Promise<SendAlertResult> {
  return new MockActivityEnvironment({ attempt }, { logger: silent }).run((e: AlertEvent) => activities.sendAlert(e), event);
}

test('delivers to every target and reports each', async () => {
  const activities = createAlertActivities({ alerts: config(), env: env() });
  const result = await run(activities, SAMPLES.position_closed);
  expect(result).toEqual({
    key: SAMPLES.position_closed.key,
    status: 'delivered',
    targets: [
      { target: 'hook', status: 'sent' },
      { target: 'tg', status: 'sent' },
    ],
  });
  expect(receiver.json(receiver.to('/bot9:T/sendMessage')[0]!)).toMatchObject({ chat_id: '77', text: alertText(SAMPLES.position_closed) });
});

test('a failing target fails the attempt (retryable); the retry sends only to that target', async () => {
  receiver.answer('/bot9:T/sendMessage', { status: 502 });
  const activities = createAlertActivities({ alerts: config(), env: env() });
  const failure = await run(activities, SAMPLES.kill_switch).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'AlertNotDelivered', nonRetryable: false });
  expect((failure as Error).message).toBe(`alert ${SAMPLES.kill_switch.key}: 1 of 2 targets failed: hook: sent (HTTP 200); tg: FAILED (HTTP 502)`);

  receiver.answer('/bot9:T/sendMessage', { status: 200, body: '{"ok":true}' });
  const retried = await run(activities, SAMPLES.kill_switch, 2);
  expect(retried.targets).toEqual([
    { target: 'hook', status: 'already-sent' },
    { target: 'tg', status: 'sent' },
  ]);
  expect(receiver.to('/hook')).toHaveLength(1);
  expect(receiver.to('/bot9:T/sendMessage')).toHaveLength(2);
});

test('only permanent failures (4xx) make the failure non-retryable', async () => {
  receiver.answer('/hook', { status: 404, body: 'no such hook' });
  receiver.answer('/bot9:T/sendMessage', { status: 400, body: '{"ok":false,"description":"Bad Request: chat not found"}' });
  const activities = createAlertActivities({ alerts: config(), env: env() });
  const failure = await run(activities, SAMPLES.order_failed).catch((err: unknown) => err);
  expect(failure).toMatchObject({ nonRetryable: true });
  expect((failure as Error).message).toContain('tg: FAILED (HTTP 400: Bad Request: chat not found), not retryable');
});

test('disabled alerts and filtered kinds send nothing; a dry run prints', async () => {
  const off = createAlertActivities({ alerts: alertsSchema.parse({}) });
  expect(await run(off, SAMPLES.kill_switch)).toEqual({ key: SAMPLES.kill_switch.key, status: 'disabled', targets: [] });
  const filtered = createAlertActivities({ alerts: config({ events: ['kill_switch'] }), env: env() });
  expect(await run(filtered, SAMPLES.position_opened)).toMatchObject({ status: 'filtered' });
  expect(await run(filtered, SAMPLES.kill_switch)).toMatchObject({ status: 'delivered' });
  const lines: string[] = [];
  const dry = createAlertActivities({ alerts: config({ dry_run: true }), env: {}, print: (l) => lines.push(l) });
  expect(await run(dry, SAMPLES.bot_paused)).toMatchObject({ status: 'delivered', targets: [{ status: 'printed' }, { status: 'printed' }] });
  expect(lines).toEqual([`[alert dry-run] ${alertText(SAMPLES.bot_paused)} (key ${SAMPLES.bot_paused.key})`]);
  expect(receiver.to('/hook')).toHaveLength(1);
});

test('a malformed event fails without retrying', async () => {
  const activities = createAlertActivities({ alerts: config(), env: env() });
  const bad = { ...SAMPLES.kill_switch, equity: null } as unknown as AlertEvent;
  await expect(run(activities, bad)).rejects.toMatchObject({ type: 'InvalidAlertEvent', nonRetryable: true, message: expect.stringContaining('equity') });
  expect(receiver.received).toHaveLength(0);
});

test('missing secrets stop the activities from being created (the worker start), naming the variable', () => {
  expect(() => createAlertActivities({ alerts: config(), env: { A_HOOK: 'https://x.example' } })).toThrow(AlertConfigError);
  expect(() => createAlertActivities({ alerts: config(), env: { A_HOOK: 'https://x.example' } })).toThrow(/A_TG \(target tg\)[\s\S]*A_CHAT \(target tg\)/);
  expect(() => createAlertActivities({ alerts: config({ enabled: false }), env: {} })).not.toThrow();
});

test('alertSettings tells workflows what is on', async () => {
  const on = createAlertActivities({ alerts: config({ min_unreachable_minutes: 7, events: ['market_data_unreachable'] }), env: env() });
  expect(await on.alertSettings()).toEqual({ enabled: true, kinds: ['market_data_unreachable'], minUnreachableMinutes: 7 });
  const off = createAlertActivities({ alerts: alertsSchema.parse({}) });
  expect(await off.alertSettings()).toEqual({ enabled: false, kinds: [], minUnreachableMinutes: 5 });
});
