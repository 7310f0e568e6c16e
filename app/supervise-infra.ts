/**
 * Keeps a long-running command's dependencies in view: the Temporal server and PostgreSQL. A server this process
 * started (infra/ `server` handle) is restarted when it dies (same port, same data folder: the dev server keeps its
 * SQLite file, so every workflow survives), with backoff; an external one (TEMPORAL_ADDRESS, DATABASE_URL, or a
 * server another command started) is waited for. Either way the command carries on by itself, and the log gets one
 * line when a dependency goes away and one when it is back, with the outage's length.
 *
 * Probes: Temporal answers `describeNamespace` within 2 s (through its own connection, without the SDK's retries),
 * PostgreSQL answers `select 1`; one probe per dependency per second. A dependency is down after two failed probes in
 * a row, or at once when the server process this command started exits.
 */
import { Connection } from '@temporalio/client';
import postgres from 'postgres';
import type { InfraHandle, ManagedServer } from '../infra';
import { errorMessage, sleep } from '../infra/processes';
import { redact } from '../infra/postgres';
import { takeSuppressedCount } from './outage-log-filter';

export type Dependency = 'temporal' | 'postgres';

export const DEPENDENCY_NAMES: Readonly<Record<Dependency, string>> = { temporal: 'Temporal', postgres: 'PostgreSQL' };

/** One outage as the watch saw it: from the first failed probe (or the server's exit) to the first good probe. */
export interface Outage {
  readonly dependency: Dependency;
  readonly downAt: number;
  readonly upAt: number | null;
  /** How the outage was noticed: the probe's error or how the server process ended. */
  readonly cause: string;
  /** Restarts of a server this command started, during this outage (failed attempts included). */
  readonly restarts: number;
}

export interface DependencyWatch {
  isUp(dependency: Dependency): boolean;
  /** Resolves once the dependency answers (at once when it does), or when the watch stops. */
  whenUp(dependency: Dependency): Promise<void>;
  /** Every outage so far, oldest first (the tests and the soak script read recovery times from them). */
  outages(): readonly Outage[];
  /** Stops probing and restarting; call it before stopping the servers, so none is restarted on the way out. */
  stop(): Promise<void>;
}

export interface Probe {
  /** Resolves when the dependency answers, rejects (with why) when it does not. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export interface SuperviseOptions {
  /** One line per outage and one per recovery (and a line per failed restart attempt, spaced by the backoff). */
  readonly log: (line: string) => void;
  readonly probeIntervalMs?: number;
  /** Failed probes in a row before an external dependency counts as down (default 2). */
  readonly failuresBeforeDown?: number;
  /** Backoff between restart attempts of a server this command started: doubles from initial up to max. */
  readonly restartBackoffMs?: { readonly initial: number; readonly max: number };
  /** Replaces the default probes (tests). */
  readonly probes?: Partial<Record<Dependency, Probe>>;
}

const PROBE_TIMEOUT_MS = 2_000;

/** Temporal answers for the namespace: a plain gRPC call, its own channel, no SDK retries, reconnecting quickly. */
export function temporalProbe(address: string, namespace: string): Probe {
  const connection = Connection.lazy({
    address,
    interceptors: [],
    // grpc-js backs reconnections off up to 2 minutes by default: a returning server would go unnoticed for long.
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1_000 },
  });
  return {
    check: async () => {
      await connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () => connection.workflowService.describeNamespace({ namespace }));
    },
    close: () => connection.close(),
  };
}

/**
 * PostgreSQL answers `select 1`, on a new connection each time: a pooled one can sit on a dead socket for a while
 * after the server comes back, and one connection a second costs a local server nothing.
 */
export function postgresProbe(url: string): Probe {
  return {
    check: async () => {
      const sql = postgres(url, { max: 1, connect_timeout: PROBE_TIMEOUT_MS / 1000, onnotice: () => undefined });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS + 500);
      });
      try {
        await Promise.race([sql`select 1`.execute(), timeout]);
      } finally {
        clearTimeout(timer);
        await sql.end({ timeout: 0 }).catch(() => undefined);
      }
    },
    close: () => Promise.resolve(),
  };
}

/** The first line of an error message (a server's log tail stays in its log file). */
function firstLine(err: unknown): string {
  return errorMessage(err).split('\n')[0] ?? '';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

class Monitor {
  up = true;
  private failures = 0;
  /** While a server this command started is being restarted, a good probe does not end the outage yet. */
  private restarting = false;
  private current: { downAt: number; cause: string; restarts: number } | null = null;
  private readonly waiters: (() => void)[] = [];
  private readonly history: Outage[] = [];
  private stopped = false;
  private readonly sleepers = new Set<() => void>();
  private signalStop: () => void = () => undefined;
  private readonly stopRequested = new Promise<null>((resolve) => (this.signalStop = () => resolve(null)));
  readonly done: Promise<void>;

  constructor(
    private readonly dependency: Dependency,
    private readonly where: string,
    private readonly probe: Probe,
    private readonly server: ManagedServer | undefined,
    private readonly options: Required<Pick<SuperviseOptions, 'log' | 'probeIntervalMs' | 'failuresBeforeDown' | 'restartBackoffMs'>>,
  ) {
    this.done = Promise.all([this.probeLoop(), this.server ? this.restartLoop(this.server) : Promise.resolve()]).then(() => undefined);
  }

  get name(): string {
    return DEPENDENCY_NAMES[this.dependency];
  }

  outages(): Outage[] {
    const open = this.current;
    return open ? [...this.history, { dependency: this.dependency, ...open, upAt: null }] : [...this.history];
  }

  whenUp(): Promise<void> {
    if (this.up || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    for (const wake of [...this.sleepers]) wake();
    for (const resolve of this.waiters.splice(0)) resolve();
    await this.done;
    await this.probe.close().catch(() => undefined);
  }

  private markDown(cause: string): void {
    if (!this.up || this.stopped) return;
    this.up = false;
    this.current = { downAt: Date.now(), cause, restarts: 0 };
    const action = this.server ? 'restarting it' : 'waiting for it; everything carries on once it is back';
    this.options.log(`${this.name} at ${this.where} went away (${cause}): ${action}`);
  }

  private markUp(): void {
    this.failures = 0;
    if (this.up || this.stopped) return;
    this.up = true;
    const open = this.current;
    this.current = null;
    if (open) {
      const upAt = Date.now();
      this.history.push({ dependency: this.dependency, ...open, upAt });
      const restarted = this.server && open.restarts > 0 ? `, restarted as pid ${this.server.pid()}` : '';
      const quiet = takeSuppressedCount();
      const left = quiet > 0 ? `; ${quiet} log entries of failed attempts during the outage were left out` : '';
      this.options.log(`${this.name} at ${this.where} is back after ${seconds(upAt - open.downAt)}${restarted}${left}`);
    }
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Sleeps `ms`, or less when the watch stops. */
  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async probeLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.probe.check();
        if (!this.restarting) this.markUp();
      } catch (err) {
        this.failures += 1;
        if (this.failures >= this.options.failuresBeforeDown) this.markDown(firstLine(err));
      }
      await this.pause(this.options.probeIntervalMs);
    }
  }

  /** Waits for the server process to exit, then starts it again (backoff between failed attempts), for as long as the watch runs. */
  private async restartLoop(server: ManagedServer): Promise<void> {
    while (!this.stopped) {
      const ended = await Promise.race([server.exited(), this.stopRequested]);
      if (ended === null || this.stopped) return;
      this.restarting = true;
      this.markDown(`pid ${server.pid()} ${ended}`);
      let delay = this.options.restartBackoffMs.initial;
      while (!this.stopped) {
        if (this.current) this.current.restarts += 1;
        try {
          await server.restart();
          break;
        } catch (err) {
          if (this.stopped) return;
          // The first failure and every tenth: an outage of hours must not fill the log.
          const attempts = this.current?.restarts ?? 1;
          if (attempts === 1 || attempts % 10 === 0)
            this.options.log(
              `${this.name}: restart ${attempts} failed (${firstLine(err)}); trying again every ${seconds(this.options.restartBackoffMs.max)} at most`,
            );
          await this.pause(delay);
          delay = Math.min(delay * 2, this.options.restartBackoffMs.max);
        }
      }
      this.restarting = false;
      this.markUp();
    }
  }
}

/**
 * Starts watching (and, for the servers this process started, restarting) Temporal and PostgreSQL. Both are taken
 * to answer when the watch starts (ensureInfra has just checked them).
 */
export function superviseInfra(infra: InfraHandle, options: SuperviseOptions): DependencyWatch {
  const settings = {
    log: options.log,
    probeIntervalMs: options.probeIntervalMs ?? 1_000,
    failuresBeforeDown: options.failuresBeforeDown ?? 2,
    restartBackoffMs: options.restartBackoffMs ?? { initial: 1_000, max: 30_000 },
  };
  const monitors: Record<Dependency, Monitor> = {
    temporal: new Monitor(
      'temporal',
      infra.temporalAddress,
      options.probes?.temporal ?? temporalProbe(infra.temporalAddress, infra.temporal.namespace),
      infra.temporal.server,
      settings,
    ),
    postgres: new Monitor('postgres', redact(infra.databaseUrl), options.probes?.postgres ?? postgresProbe(infra.databaseUrl), infra.postgres.server, settings),
  };
  let stopping: Promise<void> | undefined;
  return {
    isUp: (dependency) => monitors[dependency].up,
    whenUp: (dependency) => monitors[dependency].whenUp(),
    outages: () => [...monitors.temporal.outages(), ...monitors.postgres.outages()].sort((a, b) => a.downAt - b.downAt),
    stop: () => (stopping ??= Promise.all([monitors.temporal.stop(), monitors.postgres.stop()]).then(() => undefined)),
  };
}

/** A watch that never sees an outage (commands that supervise nothing, tests of the pieces). */
export const NO_WATCH: DependencyWatch = {
  isUp: () => true,
  whenUp: () => Promise.resolve(),
  outages: () => [],
  stop: () => Promise.resolve(),
};

/** Waits `ms`, then until the dependencies answer (each at once when it does). */
export async function pauseUntilUp(watch: DependencyWatch, dependencies: readonly Dependency[], ms: number): Promise<void> {
  await sleep(ms);
  for (const dependency of dependencies) await watch.whenUp(dependency);
}
