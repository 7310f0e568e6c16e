/**
 * Runs a command-line script of scripts/ the way `npm run <name> -- args` does (tsx, cwd = project root), in an
 * environment that points Temporal and PostgreSQL at closed ports: a bug that reaches for infrastructure fails
 * fast with a connection error instead of starting servers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Bar } from '../../domain/bars';

export const ROOT = resolve(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh temporary folder for a test file's inputs and outputs. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `bot-cli-${prefix}-`));
}

/** `dataDir` becomes BOT_DATA_DIR, so nothing could ever touch the project's .data. */
export function runScript(script: string, args: readonly string[], dataDir: string): ScriptRun {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x',
    BOT_DATA_DIR: dataDir,
    ...(process.env.LIGHTGBM_LIB_PATH ? { LIGHTGBM_LIB_PATH: process.env.LIGHTGBM_LIB_PATH } : {}),
  };
  const run = spawnSync(TSX, [join(ROOT, 'scripts', script), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Bars in the project's CSV format (data/README.md), header first. */
export function barsCsv(bars: readonly Bar[]): string {
  const rows = bars.map((b) => [b.openTime, b.open, b.high, b.low, b.close, b.volume].join(','));
  return `open_time,open,high,low,close,volume\n${rows.join('\n')}\n`;
}

export function writeBars(dir: string, name: string, bars: readonly Bar[]): string {
  const file = join(dir, name);
  writeFileSync(file, barsCsv(bars));
  return file;
}

export const iso = (ms: number) => new Date(ms).toISOString();
