/**
 * `npm run demo` stops cleanly however it is told to: SIGTERM to the npm process (npm 11 does not forward it; the
 * demo notices that its npm is gone) and SIGINT to the demo's node process, with --keep. Each time: the whole process
 * tree (npm, sh, tsx, node, the Temporal dev server, PostgreSQL) is gone within 15 s, its ports are free, and the
 * last line says what stays running in Temporal. A standalone worker (`npm run worker:market-data`, here starting
 * its own servers) stops the same way on SIGTERM to its npm.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isAlive, isPortOpen } from '../../infra/processes';
import { commandLine, processInfo, withDescendants } from '../../infra/proc-table';
import { freePorts } from '../helpers/free-ports';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '..', '..');
const STOP_WITHIN_MS = 15_000;

let dataDir: string;
let ports: { temporal: number; ui: number; postgres: number; exchange: number };
/** Every pid a demo of this test had, so a failed test still leaves nothing behind. */
const seen = new Set<number>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lgbm-bot-shutdown-'));
  chmodSync(dataDir, 0o755); // reachable by the postgres OS user when tests run as root
  const [temporal, ui, postgres, exchange] = (await freePorts(4)) as [number, number, number, number];
  ports = { temporal, ui, postgres, exchange };
});

/** Only the processes of this test's demos, by their recorded pids. */
function killAll(): void {
  for (const pid of seen) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

afterEach(killAll);

afterAll(() => {
  killAll();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The pid and every live descendant. */
const tree = (root: number): number[] => withDescendants([root]);
const commandOf = (pid: number): string => commandLine(pid) ?? '';
const parentOf = (pid: number): number | undefined => processInfo(pid)?.ppid;

interface Demo {
  readonly npm: ChildProcess;
  output(): string;
}

/** `npm run <script> -- args` on this test's ports and data folder; resolves once its output matches `ready`. */
async function startNpm(script: string, args: string[], ready: RegExp, folder = dataDir): Promise<Demo> {
  const npm = spawn('npm', ['run', script, '--', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BOT_DATA_DIR: folder,
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      PGPORT_EMBEDDED: String(ports.postgres),
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + 120_000;
  while (!ready.test(output)) {
    for (const pid of tree(npm.pid!)) seen.add(pid);
    const problem =
      npm.exitCode !== null ? `npm run ${script} exited early (${npm.exitCode})` : Date.now() > deadline ? `npm run ${script} not ready within 120 s` : null;
    if (problem !== null) {
      killAll();
      throw new Error(`${problem}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const pid of tree(npm.pid!)) seen.add(pid);
  return { npm, output: () => output };
}

/** The demo on this test's ports; resolves once the bot trades (a status line comes every 5 s). */
function startDemo(args: string[]): Promise<Demo> {
  return startNpm('demo', ['--port', String(ports.exchange), '--speed', '60', ...args], /^bars \d+ /m);
}

/** Waits until every process of the tree and every port is gone; returns how long that took. */
async function waitUntilGone(pids: readonly number[], since: number): Promise<number> {
  const deadline = since + 30_000;
  for (;;) {
    const alive = pids.filter(isAlive);
    const open = [];
    for (const port of Object.values(ports)) if (await isPortOpen(port, '127.0.0.1', 200)) open.push(port);
    if (alive.length === 0 && open.length === 0) return Date.now() - since;
    if (Date.now() > deadline)
      throw new Error(`still there after 30 s: pids ${alive.map((p) => `${p} (${commandOf(p)})`).join(', ')}; ports ${open.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The demo's own node process: the deepest process running scripts/demo.ts (tsx's node runs it in a child). */
function demoNode(pids: readonly number[]): number {
  const demo = pids.filter((pid) => commandOf(pid).includes('scripts/demo.ts'));
  const node = demo.find((pid) => demo.includes(parentOf(pid) ?? -1));
  if (node === undefined) throw new Error(`no demo node process among ${pids.join(', ')}`);
  return node;
}

test('SIGTERM to the npm process of a live-mode demo: the demo notices, stops its workflows, workers and servers, and leaves nothing', async () => {
  // --live: the bot trades the local exchange's account (orders, protective orders, reconciliation), no real money.
  const demo = await startDemo(['--live']);
  const pids = tree(demo.npm.pid!);
  expect(pids.some((pid) => commandOf(pid).includes('start-dev'))).toBe(true);
  const sent = Date.now();
  process.kill(demo.npm.pid!, 'SIGTERM');
  const tookMs = await waitUntilGone(pids, sent);
  console.log(
    `SIGTERM to npm: ${pids.length} processes and ${Object.keys(ports).length} ports gone in ${tookMs} ms\n${demo.output().split('\n').slice(-8).join('\n')}`,
  );
  expect(tookMs).toBeLessThan(STOP_WITHIN_MS);
  expect(demo.output()).toMatch(/npm \(pid \d+\) exited: stopping/);
  expect(demo.output()).toMatch(/exchange account: one-way position mode, isolated margin, leverage \d+x/);
  expect(demo.output()).toContain("live mode on the local exchange's account (no real money)");
  expect(demo.output()).toContain('bot-BTCUSDT-live stopped');
  expect(demo.output()).toContain('stays running in Temporal: nothing (the demo stopped its bot, market data and retrain schedule)');
});

test('SIGINT to the node process with --keep: the workflows stay in Temporal and the demo says so', async () => {
  const demo = await startDemo(['--keep']);
  const pids = tree(demo.npm.pid!);
  const sent = Date.now();
  process.kill(demoNode(pids), 'SIGINT');
  const tookMs = await waitUntilGone(pids, sent);
  console.log(`SIGINT to node: gone in ${tookMs} ms\n${demo.output().split('\n').slice(-6).join('\n')}`);
  expect(tookMs).toBeLessThan(STOP_WITHIN_MS);
  expect(demo.output()).toContain('SIGINT: stopping');
  expect(demo.output()).not.toContain('bot-BTCUSDT-paper stopped');
  expect(demo.output()).toContain('stays running in Temporal: bot-BTCUSDT-paper, market-data-BTCUSDT, schedule retrain-BTCUSDT (--keep');
});

test('SIGINT to a demo of two symbols (a portfolio): it stops both bots, their market data and schedules, and the portfolio', async () => {
  const demo = await startNpm('demo', ['--port', String(ports.exchange), '--speed', '60', '--symbols', 'BTCUSDT,ETHUSDT'], /^portfolio {2}equity /m);
  const pids = tree(demo.npm.pid!);
  const sent = Date.now();
  process.kill(demoNode(pids), 'SIGINT');
  const tookMs = await waitUntilGone(pids, sent).catch((err: Error) => {
    throw new Error(`${err.message}\n${demo.output().split('\n').slice(-40).join('\n')}`);
  });
  console.log(`SIGINT to a two-symbol demo: gone in ${tookMs} ms\n${demo.output().split('\n').slice(-12).join('\n')}`);
  expect(tookMs).toBeLessThan(STOP_WITHIN_MS);
  expect(demo.output()).toContain("ETHUSDT: STAND-IN (BTCUSDT's real returns");
  expect(demo.output()).toMatch(/^ETHUSDT {2}bars \d+ /m);
  for (const name of [
    'bot-BTCUSDT-paper stopped',
    'bot-ETHUSDT-paper stopped',
    'market-data-ETHUSDT stopped',
    'schedule retrain-ETHUSDT deleted',
    'portfolio-paper stopped',
  ])
    expect(demo.output()).toContain(name);
  expect(demo.output()).toContain('stays running in Temporal: nothing (the demo stopped its bots, their market data and retrain schedules, and the portfolio)');
});

test('SIGTERM to the npm of a standalone worker: it stops its worker and the servers it started, and leaves nothing', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'lgbm-bot-worker-stop-'));
  chmodSync(folder, 0o755);
  try {
    const worker = await startNpm('worker:market-data', [], /"msg":"polling task queue"/, folder);
    const pids = tree(worker.npm.pid!);
    const sent = Date.now();
    process.kill(worker.npm.pid!, 'SIGTERM');
    const tookMs = await waitUntilGone(pids, sent);
    console.log(`SIGTERM to npm run worker:market-data: gone in ${tookMs} ms`);
    expect(tookMs).toBeLessThan(STOP_WITHIN_MS);
    expect(worker.output()).toMatch(/"msg":"stopping".*"reason":"npm \(pid \d+\) exited"/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
