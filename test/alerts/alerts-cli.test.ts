/** `npm run alerts -- test`: a test alert to every configured target (or printed with --dry-run), each outcome reported. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load-config';
import { ROOT, tempDir } from '../cli/run-script';
import { Receiver } from './receiver';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Asynchronous, so the receiver in this process can answer the script. */
function alertsCli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [join(ROOT, 'scripts', 'alerts.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const dir = tempDir('alerts');
function configFile(alerts: unknown): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify({ ...loadConfig(), alerts }));
  return file;
}

const targets = [
  { type: 'webhook', name: 'hook', url_env: 'CLI_TEST_HOOK_URL' },
  { type: 'slack', name: 'chat', url_env: 'CLI_TEST_SLACK_URL' },
];

let receiver: Receiver;
beforeAll(async () => {
  receiver = await Receiver.start();
});
afterAll(async () => {
  await receiver.stop();
});

test('--dry-run prints the test alert and sends nothing (no secrets needed)', async () => {
  const run = await alertsCli(['test', '--dry-run', '--config', configFile({ enabled: true, targets }), '--message', 'dry hello']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^\[alert dry-run\] test alert: dry hello \(key alerts-cli:test:\d+\)$/m);
  expect(run.stdout).toContain('  hook: not sent (dry run)\n  chat: not sent (dry run)');
  expect(receiver.received).toHaveLength(0);
});

test('sends to every target and reports each; a failing one sets exit code 1', async () => {
  receiver.answer('/slack', { status: 500, body: 'nope' });
  const run = await alertsCli(['test', '--config', configFile({ targets })], {
    CLI_TEST_HOOK_URL: receiver.url('/hook'),
    CLI_TEST_SLACK_URL: receiver.url('/slack'),
  });
  expect(run.code).toBe(1);
  expect(run.stdout).toContain('note: alerts.enabled is false');
  expect(run.stdout).toContain('  hook: sent (HTTP 200)\n  chat: FAILED (HTTP 500: nope)\n1 of 2 targets took the alert');
  const [hook] = receiver.to('/hook');
  expect(receiver.json(hook!)).toMatchObject({ kind: 'test', message: 'alerts are set up', text: 'test alert: alerts are set up' });
  expect(hook!.headers['idempotency-key']).toMatch(/^alerts-cli:test:\d+$/);
});

test('a missing variable is named, and nothing is sent', async () => {
  const before = receiver.received.length;
  const run = await alertsCli(['test', '--config', configFile({ targets })], { CLI_TEST_HOOK_URL: receiver.url('/hook') });
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('CLI_TEST_SLACK_URL (target chat) is not set in the environment or .env');
  expect(receiver.received).toHaveLength(before);
});
