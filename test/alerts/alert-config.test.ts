/** The alerts section of config.yaml and the targets' secrets from the environment. */
import { stringify } from 'yaml';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertConfigError, resolveAlertTargets } from '../../config/alert-secrets';
import { alertsSchema } from '../../config/alerts-schema';
import { loadConfig, parseConfig } from '../../config/load-config';

const shipped = loadConfig();
const withAlerts = (alerts: unknown) => ({ ...shipped, alerts });
const targets = [
  { type: 'webhook', url_env: 'T_HOOK' },
  { type: 'telegram', token_env: 'T_TG_TOKEN', chat_id_env: 'T_TG_CHAT' },
  { type: 'slack', url_env: 'T_SLACK' },
  { type: 'discord', name: 'ops', url_env: 'T_DISCORD' },
];
const env = {
  T_HOOK: 'https://example.org/hook?token=x',
  T_TG_TOKEN: '42:ABC',
  T_TG_CHAT: '-1001',
  T_SLACK: 'https://hooks.slack.com/services/a/b/c',
  T_DISCORD: 'https://discord.com/api/webhooks/1/x',
};

test('the shipped configuration has alerts off; a configuration without the section still loads, with the defaults', () => {
  expect(shipped.alerts).toEqual({ enabled: false, dry_run: false, min_unreachable_minutes: 5, timeout_seconds: 10, targets: [] });
  const { alerts: _omitted, ...without } = shipped;
  const dir = mkdtempSync(join(tmpdir(), 'alerts-cfg-'));
  writeFileSync(join(dir, 'old.yaml'), stringify(without));
  expect(loadConfig(join(dir, 'old.yaml')).alerts).toEqual(shipped.alerts);
});

test('targets and event filters are read; names default to the type', () => {
  const config = parseConfig(withAlerts({ enabled: true, events: ['kill_switch', 'position_closed'], targets }));
  expect(config.alerts.events).toEqual(['kill_switch', 'position_closed']);
  expect(resolveAlertTargets(config.alerts, env)).toEqual([
    { type: 'webhook', name: 'webhook', url: env.T_HOOK },
    { type: 'telegram', name: 'telegram', token: '42:ABC', chatId: '-1001', apiBaseUrl: 'https://api.telegram.org' },
    { type: 'slack', name: 'slack', url: env.T_SLACK },
    { type: 'discord', name: 'ops', url: env.T_DISCORD },
  ]);
  const two = alertsSchema.parse({ targets: [targets[0], targets[0]] });
  expect(resolveAlertTargets(two, env).map((t) => t.name)).toEqual(['webhook-1', 'webhook-2']);
});

test('unknown keys, secrets written into the file, unknown events and missing targets are refused with their path', () => {
  expect(() => parseConfig(withAlerts({ enabeld: true }), 'a.yaml')).toThrow(/alerts: Unrecognized key.*enabeld/);
  expect(() => parseConfig(withAlerts({ targets: [{ type: 'slack', url: 'https://hooks.slack.com/services/a' }] }))).toThrow(
    /alerts\.targets\.0: Unrecognized key: "url"/,
  );
  expect(() => parseConfig(withAlerts({ targets: [{ type: 'webhook', url_env: 'https://example.org/x' }] }))).toThrow(
    /alerts\.targets\.0\.url_env: must be the NAME of an environment variable/,
  );
  expect(() => parseConfig(withAlerts({ targets: [{ type: 'pager', url_env: 'X' }] }))).toThrow(/alerts\.targets\.0\.type/);
  expect(() => parseConfig(withAlerts({ events: ['kill_switch', 'lunch'] }))).toThrow(/alerts\.events\.1/);
  expect(() => parseConfig(withAlerts({ enabled: true }))).toThrow(/alerts\.targets: alerts are enabled but no target is configured/);
  expect(() => parseConfig(withAlerts({ targets: [targets[3], { ...targets[2], name: 'ops' }] }))).toThrow(
    /alerts\.targets\.1\.name: duplicate target name 'ops'/,
  );
  expect(() => parseConfig(withAlerts({ min_unreachable_minutes: 1 }))).toThrow(/alerts\.min_unreachable_minutes/);
});

test('a missing or malformed variable is an error naming it (never its value); a dry run needs none', () => {
  const alerts = parseConfig(withAlerts({ enabled: true, targets })).alerts;
  const partial = { ...env, T_TG_CHAT: undefined, T_SLACK: '  ', T_DISCORD: 'discord.com/api/webhooks/1/x' };
  expect(() => resolveAlertTargets(alerts, partial)).toThrow(AlertConfigError);
  try {
    resolveAlertTargets(alerts, partial);
  } catch (err) {
    const message = (err as Error).message;
    expect(message).toContain('T_TG_CHAT (target telegram) is not set in the environment or .env');
    expect(message).toContain('T_SLACK (target slack) is not set');
    expect(message).toContain('T_DISCORD (target ops) must be an http(s) URL');
    expect(message).not.toContain('discord.com');
  }
  expect(resolveAlertTargets({ ...alerts, dry_run: true }, {}).map((t) => t.name)).toEqual(['webhook', 'telegram', 'slack', 'ops']);
});
