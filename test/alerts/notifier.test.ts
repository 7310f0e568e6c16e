/**
 * The notifier against a local HTTP receiver: each target type's request as it arrives, failing targets (HTTP 500,
 * connection refused, no answer) reported without holding back the others, and a retry after a partial failure
 * sending only to the targets that failed.
 */
import { DeliveredKeys } from '../../alerts/delivered-keys';
import { alertText } from '../../alerts/alert-event';
import { describeOutcome, Notifier } from '../../alerts/notifier';
import type { AlertTarget } from '../../alerts/targets';
import { freePorts } from '../helpers/free-ports';
import { SAMPLES } from './fixtures';
import { Receiver } from './receiver';

let receiver: Receiver;
beforeEach(async () => {
  receiver = await Receiver.start();
});
afterEach(async () => {
  await receiver.stop();
});

const event = SAMPLES.kill_switch;
const text = alertText(event);

function everyType(): AlertTarget[] {
  return [
    { type: 'webhook', name: 'hook', url: receiver.url('/hook?token=s3cret') },
    { type: 'telegram', name: 'tg', token: '42:TOKEN', chatId: '-100123', apiBaseUrl: receiver.baseUrl },
    { type: 'slack', name: 'slack', url: receiver.url('/services/T0/B0/xyz') },
    { type: 'discord', name: 'discord', url: receiver.url('/api/webhooks/1/abc') },
  ];
}

test('every target type receives its request, with the Idempotency-Key header', async () => {
  const notifier = new Notifier({ targets: everyType() });
  const report = await notifier.send(event);

  expect(report).toMatchObject({ key: event.key, kind: 'kill_switch', text });
  expect(report.outcomes.map((o) => [o.target, o.status])).toEqual([
    ['hook', 'sent'],
    ['tg', 'sent'],
    ['slack', 'sent'],
    ['discord', 'sent'],
  ]);
  expect(receiver.received).toHaveLength(4);
  for (const request of receiver.received) {
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['idempotency-key']).toBe(event.key);
  }
  expect(receiver.json(receiver.to('/hook?token=s3cret')[0]!)).toEqual({ ...event, text });
  expect(receiver.json(receiver.to('/bot42:TOKEN/sendMessage')[0]!)).toEqual({ chat_id: '-100123', text, link_preview_options: { is_disabled: true } });
  expect(receiver.json(receiver.to('/services/T0/B0/xyz')[0]!)).toEqual({ text });
  expect(receiver.json(receiver.to('/api/webhooks/1/abc')[0]!)).toEqual({ content: text, allowed_mentions: { parse: [] } });
});

test('a failing target (500, connection refused, no answer) is reported and does not hold back the others', async () => {
  const [closedPort] = (await freePorts(1)) as [number];
  receiver.answer('/broken', { status: 500, body: 'upstream exploded' });
  receiver.answer('/slow', 'hang');
  receiver.answer('/slow-too', 'hang');
  receiver.answer('/bot7:BAD/sendMessage', { status: 401, body: JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }) });
  const targets: AlertTarget[] = [
    { type: 'webhook', name: 'broken', url: receiver.url('/broken') },
    { type: 'slack', name: 'refused', url: `http://127.0.0.1:${closedPort}/services/x` },
    { type: 'discord', name: 'slow', url: receiver.url('/slow') },
    { type: 'webhook', name: 'slow-too', url: receiver.url('/slow-too') },
    { type: 'telegram', name: 'tg-bad-token', token: '7:BAD', chatId: '1', apiBaseUrl: receiver.baseUrl },
    { type: 'webhook', name: 'good', url: receiver.url('/good') },
  ];
  // Generous: Node loads fetch on its first call, and a loaded CI machine must not time out the good target.
  const timeoutMs = 2_000;
  const started = Date.now();
  const report = await new Notifier({ targets, timeoutMs }).send(event);

  // Two silent targets cost one timeout, not two: each waits in parallel with the rest.
  expect(Date.now() - started).toBeLessThan(2 * timeoutMs);
  const by = Object.fromEntries(report.outcomes.map((o) => [o.target, o]));
  expect(by.good).toMatchObject({ status: 'sent', httpStatus: 200 });
  expect(by.broken).toMatchObject({ status: 'failed', httpStatus: 500, retryable: true, error: 'HTTP 500: upstream exploded' });
  expect(by.refused).toMatchObject({ status: 'failed', retryable: true });
  expect(describeOutcome(by.refused!)).toMatch(/^refused: FAILED \(fetch failed: .*ECONNREFUSED/);
  expect(by.slow).toMatchObject({ status: 'failed', retryable: true, error: `no answer within ${timeoutMs} ms` });
  expect(by['slow-too']).toMatchObject({ status: 'failed', retryable: true, error: `no answer within ${timeoutMs} ms` });
  expect(by['tg-bad-token']).toMatchObject({ status: 'failed', httpStatus: 401, retryable: false, error: 'HTTP 401: Unauthorized' });
  // Reports never quote a secret.
  expect(JSON.stringify(report)).not.toMatch(/7:BAD/);
  expect(receiver.to('/good')).toHaveLength(1);
});

test('a retry after a partial failure sends only to the targets that failed; the same key is never resent', async () => {
  receiver.answer('/flaky', { status: 503 });
  const targets: AlertTarget[] = [
    { type: 'webhook', name: 'steady', url: receiver.url('/steady') },
    { type: 'slack', name: 'flaky', url: receiver.url('/flaky') },
  ];
  const notifier = new Notifier({ targets });

  const first = await notifier.send(event);
  expect(first.outcomes.map((o) => o.status)).toEqual(['sent', 'failed']);
  receiver.answer('/flaky', { status: 200 });
  const second = await notifier.send(event);
  expect(second.outcomes.map((o) => o.status)).toEqual(['already-sent', 'sent']);
  const third = await notifier.send(event);
  expect(third.outcomes.map((o) => o.status)).toEqual(['already-sent', 'already-sent']);

  expect(receiver.to('/steady')).toHaveLength(1);
  expect(receiver.to('/flaky')).toHaveLength(2);
  // Another event goes out again.
  await notifier.send(SAMPLES.order_failed);
  expect(receiver.to('/steady')).toHaveLength(2);
});

test('two concurrent sends of one key share one request', async () => {
  const notifier = new Notifier({ targets: [{ type: 'webhook', name: 'hook', url: receiver.url('/hook') }] });
  const [a, b] = await Promise.all([notifier.send(event), notifier.send(event)]);
  expect([a.outcomes[0]!.status, b.outcomes[0]!.status]).toEqual(['sent', 'sent']);
  expect(receiver.to('/hook')).toHaveLength(1);
});

test('dry run prints the line and sends nothing', async () => {
  const lines: string[] = [];
  const notifier = new Notifier({ targets: everyType(), dryRun: true, print: (line) => lines.push(line) });
  const report = await notifier.send(event);
  expect(lines).toEqual([`[alert dry-run] ${text} (key ${event.key})`]);
  expect(report.outcomes.every((o) => o.status === 'printed')).toBe(true);
  expect(receiver.received).toHaveLength(0);
});

test('the memory of delivered keys is bounded, oldest first', () => {
  const keys = new DeliveredKeys(3);
  for (const k of ['a', 'b', 'c', 'd']) keys.add('t', k);
  expect(keys.size).toBe(3);
  expect(keys.has('t', 'a')).toBe(false);
  expect(keys.has('t', 'd')).toBe(true);
  expect(keys.has('other', 'd')).toBe(false);
});
