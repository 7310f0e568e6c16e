/** The pure side of alerts: events and their keys, the text line of each kind, each target's HTTP request. */
import { ALERT_KINDS, alertEvent, alertKey, alertText, parseAlertEvent } from '../../alerts/alert-event';
import { alertRequest, retryableStatus, TELEGRAM_API_BASE_URL, truncate, type AlertTarget } from '../../alerts/targets';
import { ALL_SAMPLES, BAR, SAMPLES, WF } from './fixtures';

describe('alert events', () => {
  it('build a deterministic idempotency key from the caller ids: workflow, kind, id', () => {
    expect(SAMPLES.position_closed.key).toBe(`${WF}:position_closed:${BAR}`);
    expect(alertKey('retrain-BTCUSDT', 'retrain_promoted', 'run-9')).toBe('retrain-BTCUSDT:retrain_promoted:run-9');
    const again = alertEvent(
      'kill_switch',
      { workflowId: WF, id: BAR, at: 1 },
      { symbol: 'BTCUSDT', mode: 'paper', equity: 1, dayOpenEquity: 2, drawdownPct: 50, limitPct: 3 },
    );
    expect(again.key).toBe(SAMPLES.kill_switch.key); // the time of sending is not part of it
  });

  it('keep the envelope when fields try to overwrite it', () => {
    const sneaky = { message: 'x', kind: 'bot_started', key: 'forged' } as unknown as { message: string };
    const event = alertEvent('test', { workflowId: 'w', id: 1, at: 5 }, sneaky);
    expect(event).toMatchObject({ kind: 'test', key: 'w:test:1', workflowId: 'w', at: 5, message: 'x' });
  });

  it('have a sample of every kind that the schema accepts unchanged', () => {
    expect(ALL_SAMPLES.map((e) => e.kind)).toEqual([...ALERT_KINDS]);
    for (const event of ALL_SAMPLES) expect(parseAlertEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('refuse a malformed event naming the field, and drop unknown fields', () => {
    expect(() => parseAlertEvent({ ...SAMPLES.kill_switch, equity: 'lots' })).toThrow(/equity: .*number/);
    expect(() => parseAlertEvent({ ...SAMPLES.test, kind: 'party' })).toThrow(/invalid alert event: kind/);
    expect(() => parseAlertEvent({ ...SAMPLES.test, key: '' })).toThrow(/key/);
    expect(parseAlertEvent({ ...SAMPLES.test, extra: 1 })).toEqual(SAMPLES.test);
  });

  it('read as one line each', () => {
    for (const event of ALL_SAMPLES) {
      const line = alertText(event);
      expect(line.length).toBeGreaterThan(10);
      expect(line).not.toMatch(/\n|undefined|NaN/);
    }
    expect(alertText(SAMPLES.position_closed)).toBe('[BTCUSDT paper] closed SHORT 0.5 @ 20000 -> 19800 (take_profit): PnL +92.00 USDT (+0.92 %)');
    expect(alertText(SAMPLES.position_opened)).toBe('[BTCUSDT paper] opened LONG 0.4987 @ 20051.3 (model m1)');
    expect(alertText(SAMPLES.kill_switch)).toMatch(/^\[BTCUSDT paper\] KILL SWITCH: equity 9690.00 is 3.10 % below the day's opening 10000.00 \(limit 3 %\)/);
    expect(alertText(SAMPLES.order_failed)).toBe('[BTCUSDT paper] order OPEN_LONG refused: Margin is insufficient.');
    expect(alertText(SAMPLES.retrain_triggered)).toBe('[BTCUSDT] retrain triggered by drift: PSI 0.31 of std60');
    expect(alertText(SAMPLES.retrain_promoted)).toBe('[BTCUSDT] retrain (drift) promoted m2 (was m1)');
    expect(alertText(SAMPLES.retrain_rejected)).toBe('[BTCUSDT] retrain (scheduled) gated m2: validation gates failed: directional accuracy 0.48 < 0.5');
    expect(alertText(SAMPLES.market_data_unreachable)).toBe(
      '[BTCUSDT] market data unreachable: no new bar for 6 min (last bar 2024-03-01 12:07 UTC); exchange, stream or database down',
    );
    expect(alertText(SAMPLES.market_data_restored)).toBe('[BTCUSDT] market data back after 14 min (last bar 2024-03-01 12:21 UTC)');
  });
});

describe('alert targets', () => {
  const event = SAMPLES.position_closed;
  const text = alertText(event);

  it('generic webhook: POST of the event JSON with its text and an Idempotency-Key header', () => {
    const request = alertRequest({ type: 'webhook', name: 'hook', url: 'https://example.org/h?t=secret' }, event);
    expect(request).toMatchObject({ url: 'https://example.org/h?t=secret', method: 'POST' });
    expect(request.headers).toEqual({ 'content-type': 'application/json', 'idempotency-key': event.key });
    expect(JSON.parse(request.body)).toEqual({ ...event, text });
  });

  it('Telegram: sendMessage of the Bot API with chat_id and plain text; the base URL can be replaced', () => {
    const target: AlertTarget = { type: 'telegram', name: 'tg', token: '123:ABC', chatId: '-10042', apiBaseUrl: TELEGRAM_API_BASE_URL };
    const request = alertRequest(target, event);
    expect(request.url).toBe('https://api.telegram.org/bot123:ABC/sendMessage');
    expect(JSON.parse(request.body)).toEqual({ chat_id: '-10042', text, link_preview_options: { is_disabled: true } });
    expect(alertRequest({ ...target, apiBaseUrl: 'http://127.0.0.1:9/' }, event).url).toBe('http://127.0.0.1:9/bot123:ABC/sendMessage');
  });

  it('Slack-compatible {text} and Discord-compatible {content} without mentions', () => {
    expect(JSON.parse(alertRequest({ type: 'slack', name: 's', url: 'https://hooks.slack.com/services/x' }, event).body)).toEqual({ text });
    const discord = alertRequest({ type: 'discord', name: 'd', url: 'https://discord.com/api/webhooks/1/x' }, event);
    expect(JSON.parse(discord.body)).toEqual({ content: text, allowed_mentions: { parse: [] } });
    expect(discord.headers['idempotency-key']).toBe(event.key);
  });

  it("cuts text to each service's limit", () => {
    const long = alertEvent('test', { workflowId: 'w', id: 1, at: 0 }, { message: 'x'.repeat(3990) });
    const content = (JSON.parse(alertRequest({ type: 'discord', name: 'd', url: 'https://d' }, long).body) as { content: string }).content;
    expect(content).toHaveLength(2000);
    expect(content.endsWith('…')).toBe(true);
    expect(truncate('short', 10)).toBe('short');
  });

  it('retries timeouts, rate limits and server errors, not other client errors', () => {
    expect([408, 425, 429, 500, 502, 503].every(retryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 410].some(retryableStatus)).toBe(false);
  });
});
