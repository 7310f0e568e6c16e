// Process plumbing shared by the Temporal and PostgreSQL launchers: spawn a server with its output in a log
// file, tie it to this process or detach it, probe ports, stop by pid with escalating signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';

export const LOCALHOST = '127.0.0.1';

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host: string = LOCALHOST, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls until the port refuses connections; false if it is still open after timeoutMs. */
export async function waitForPortClosed(port: number, timeoutMs: number, host: string = LOCALHOST): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isPortOpen(port, host, 500)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Last lines of a log file, for error messages; empty when there is no log. */
export function tailFile(path: string, maxLines = 30): string {
  if (!existsSync(path)) return '';
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  return lines.slice(-maxLines).join('\n');
}

/** An error message followed by the tail of the server's log, so a failed start explains itself. */
export function withLogTail(message: string, logFile: string): string {
  const tail = tailFile(logFile);
  return tail === '' ? `${message} (no output in ${logFile})` : `${message}\nLast lines of ${logFile}:\n${tail}`;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPidFile(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const first = readFileSync(path, 'utf8').split('\n')[0]?.trim() ?? '';
  const pid = Number(first);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function writePidFile(path: string, pid: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${pid}\n`);
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

/** What `infra status` reports for one service. */
export interface ServiceStatus {
  /** The service answers. */
  readonly running: boolean;
  readonly summary: string;
}

export interface StopStep {
  readonly signal: NodeJS.Signals;
  /** How long to wait for the process to exit after this signal before the next step. */
  readonly waitMs: number;
}

/** 'stopped' after the first (graceful) signal, 'forced' if a later step was needed. */
export type StopOutcome = 'stopped' | 'forced' | 'not-running';

/** Sends each signal in turn until the process is gone; throws if it survives them all. */
export async function stopPid(pid: number, steps: readonly StopStep[]): Promise<StopOutcome> {
  if (!isAlive(pid)) return 'not-running';
  for (const [index, step] of steps.entries()) {
    try {
      process.kill(pid, step.signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return index === 0 ? 'stopped' : 'forced';
      throw err;
    }
    const deadline = Date.now() + step.waitMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return index === 0 ? 'stopped' : 'forced';
      await sleep(50);
    }
  }
  if (!isAlive(pid)) return 'forced';
  throw new Error(`process ${pid} is still running after ${steps.map((s) => s.signal).join(', ')}`);
}

/** What a server needs of this process's environment; nothing else (API keys from .env, database URLs) reaches it. */
const SERVER_ENV_KEYS = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ'] as const;

export function serverEnvironment(from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of SERVER_ENV_KEYS) if (from[key] !== undefined) env[key] = from[key];
  return env;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** Runs a command to completion without blocking the event loop (other servers may be starting meanwhile). */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? serverEnvironment(),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (err) => reject(new Error(`could not run ${command}: ${err.message}`)));
    child.once('close', (code) => resolve({ code, output }));
  });
}

export interface SpawnServerOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** stdout and stderr are appended here (a header line marks each start). */
  readonly logFile: string;
  /** false: killed with exitSignal when this process exits; true: own session, survives this process. */
  readonly detached: boolean;
  readonly exitSignal: NodeJS.Signals;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Run as another OS user (PostgreSQL refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
}

export interface SpawnedServer {
  readonly pid: number;
  /** How the process ended, once it has; lets readiness loops fail fast instead of timing out. */
  // A function property, not a method: it is a closure meant to be passed around (`server.exitStatus`).
  readonly exitStatus: () => string | undefined;
  /** Settles (never rejects) with the same description once the process has exited: supervisors restart on it. */
  readonly exited: Promise<string>;
}

/** A server this process started and can start again (same port, same data): what a supervisor needs. */
export interface ManagedServer {
  /** 'Temporal' or 'PostgreSQL', for log lines. */
  readonly name: string;
  /** The current server process. */
  pid(): number;
  /** Settles when the current server process exits, with how it ended. */
  exited(): Promise<string>;
  /** Starts the server again on the same port and data and resolves once it answers; rejects if it does not. */
  restart(): Promise<void>;
}

/** Servers tied to this process: one 'exit' listener kills them all (signals can only be sent synchronously there). */
const tiedServers = new Map<ChildProcess, NodeJS.Signals>();
let exitHookInstalled = false;

function killTiedServers(): void {
  for (const [child, signal] of tiedServers) child.kill(signal);
}

export async function spawnServer(options: SpawnServerOptions): Promise<SpawnedServer> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    writeSync(logFd, `\n--- ${new Date().toISOString()} starting: ${options.command} ${options.args.join(' ')}\n`);
    child = spawn(options.command, options.args, {
      stdio: ['ignore', logFd, logFd],
      detached: options.detached,
      env: options.env ?? serverEnvironment(),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
  } finally {
    // The child has its own copy of the descriptor.
    closeSync(logFd);
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error(`could not start ${options.command}: ${err.message}`)));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${options.command}: no pid`);

  let exitStatus: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
      tiedServers.delete(child);
      resolve(exitStatus);
    });
  });
  if (!options.detached) {
    tiedServers.set(child, options.exitSignal);
    if (!exitHookInstalled) {
      process.on('exit', killTiedServers);
      exitHookInstalled = true;
    }
  }
  // Whoever owns the handle decides when the server stops; it must not keep this process alive by itself.
  child.unref();
  return { pid, exitStatus: () => exitStatus, exited };
}
