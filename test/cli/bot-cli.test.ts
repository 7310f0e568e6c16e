// `npm run bot` and `npm start` refusing what they cannot do: usage errors, no Temporal server, live trading
// without every opt-in. Nothing here may start a server: BOT_DATA_DIR must never be created.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../helpers/free-ports';
import { ROOT, runScript, tempDir, type ScriptRun } from './run-script';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

describe('npm run bot / npm start: refusals without infrastructure', () => {
  let dir: string;
  let dataDir: string;

  /** Like runScript, with extra variables (an empty BINANCE_API_KEY hides keys a developer's .env may hold). */
  function run(script: string, args: readonly string[], extraEnv: Record<string, string>): ScriptRun {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x',
      BOT_DATA_DIR: dataDir,
      ...extraEnv,
    };
    const result = spawnSync(TSX, [join(ROOT, 'scripts', script), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    if (result.error) throw result.error;
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** The shipped configuration with execution.paper_trading switched off. */
  function liveConfig(): string {
    const text = readFileSync(join(ROOT, 'config', 'config.yaml'), 'utf8');
    const edited = text.replace(/paper_trading: true/, 'paper_trading: false');
    expect(edited).not.toBe(text);
    const file = join(dir, 'live-config.yaml');
    writeFileSync(file, edited);
    return file;
  }

  beforeAll(() => {
    dir = tempDir('bot');
    dataDir = join(dir, 'data-dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    // No server was started: none created its folder under BOT_DATA_DIR.
    expect(() => readdirSync(dataDir)).toThrow(/ENOENT/);
  });

  describe('npm run bot', () => {
    test('--help lists every command and exits 0', () => {
      const result = runScript('bot.ts', ['--help'], dataDir);

      expect(result.code).toBe(0);
      for (const command of ['status', 'pause', 'resume', 'flatten', 'stop']) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      expect(result.stderr).toBe('');
    });

    test('an unknown command exits 2 with the usage', () => {
      const result = runScript('bot.ts', ['frobnicate'], dataDir);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        "unknown command 'frobnicate' (expected one of status, pause, resume, flatten, adopt, stop, retrain-pause, retrain-resume, portfolio-resume, portfolio-stop)",
      );
      expect(result.stderr).toContain('Usage: npm run bot -- <command>');
      expect(result.stdout).toBe('');
    });

    test('a mode other than paper or live exits 2', () => {
      const result = runScript('bot.ts', ['pause', '--mode', 'demo'], dataDir);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain("--mode must be paper or live (got 'demo')");
    });

    test('status with TEMPORAL_ADDRESS pointing at nothing exits 1 and says how to start the bot', () => {
      const result = runScript('bot.ts', ['status'], dataDir);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('error: no Temporal server running; start the bot with npm start or npm run demo');
      expect(result.stderr).toContain('127.0.0.1:1 (TEMPORAL_ADDRESS) does not answer');
      expect(result.stderr).not.toContain('Usage:');
      expect(result.stdout).toBe('');
    });

    test('stop without a local server (no TEMPORAL_ADDRESS) names the port it looked at and starts nothing', async () => {
      const [port] = (await freePorts(1)) as [number];

      const result = run('bot.ts', ['stop', '--symbol', 'ethusdt'], { TEMPORAL_ADDRESS: '', TEMPORAL_PORT: String(port) });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no Temporal server running');
      expect(result.stderr).toContain(`nothing on 127.0.0.1:${port}`);
    });
  });

  describe('npm start', () => {
    test('--help describes --live and exits 0', () => {
      const result = runScript('start.ts', ['--help'], dataDir);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: npm start -- [options]');
      expect(result.stdout).toContain('--live');
    });

    test('--live with the shipped configuration and no keys names both missing opt-ins', () => {
      const result = run('start.ts', ['--live'], { BINANCE_API_KEY: '', BINANCE_API_SECRET: '' });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Live trading refused: 2 of the 3 required opt-ins are missing');
      expect(result.stderr).toContain('execution.paper_trading: true');
      expect(result.stderr).toContain('no exchange API keys (set BINANCE_API_KEY and BINANCE_API_SECRET');
      expect(result.stderr).not.toContain('--live flag');
      expect(result.stdout).not.toContain('[infra]');
    });

    test('--live with paper_trading: false but no keys names only the keys', () => {
      const result = run('start.ts', ['--live', '--config', liveConfig()], { BINANCE_API_KEY: '', BINANCE_API_SECRET: '' });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('1 of the 3 required opt-ins is missing');
      expect(result.stderr).toContain('no exchange API keys');
      expect(result.stderr).not.toContain('paper_trading');
    });

    test('without --live, a configuration with paper_trading: false still runs on paper and says so', () => {
      const result = run('start.ts', ['--config', liveConfig()], { BINANCE_API_KEY: 'test-key', BINANCE_API_SECRET: 'test-secret' });

      expect(result.stdout).toContain('The configuration sets execution.paper_trading: false, but --live was not given: running in paper mode.');
      expect(result.stdout).not.toContain('LIVE TRADING');
      // It then stops at the first service out of reach here: Binance, or the Temporal of TEMPORAL_ADDRESS.
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Binance is not reachable|TEMPORAL_ADDRESS=127\.0\.0\.1:1/);
    });

    test('--live with keys but the configuration still on paper names only the configuration', () => {
      const result = run('start.ts', ['--live'], { BINANCE_API_KEY: 'test-key', BINANCE_API_SECRET: 'test-secret' });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('1 of the 3 required opt-ins is missing');
      expect(result.stderr).toContain('execution.paper_trading: true');
      expect(result.stderr).not.toContain('API keys');
      expect(result.stderr).not.toContain('test-secret');
    });

    test('--testnet needs its own keys: real ones do not count', () => {
      const result = run('start.ts', ['--testnet'], {
        BINANCE_API_KEY: 'real-key',
        BINANCE_API_SECRET: 'real-secret',
        BINANCE_TESTNET_API_KEY: '',
        BINANCE_TESTNET_API_SECRET: '',
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--testnet needs BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_API_SECRET');
      expect(result.stdout).not.toContain('[infra]');
    });

    test('--testnet with its keys runs live mode on Demo Trading, whatever the paper setting', () => {
      const result = run('start.ts', ['--testnet'], { BINANCE_TESTNET_API_KEY: 'demo-key', BINANCE_TESTNET_API_SECRET: 'demo-secret' });
      expect(result.stdout).toContain('LIVE MODE on Binance USD-M Demo Trading (testnet, no real money)');
      // Then the first service out of reach here stops it: Binance's demo endpoint, or TEMPORAL_ADDRESS.
      expect(result.code).toBe(1);
      expect(result.stderr).not.toContain('demo-secret');
      expect(run('start.ts', ['--testnet', '--live'], {}).stderr).toContain('--live and --testnet exclude each other');
    });
  });
});
