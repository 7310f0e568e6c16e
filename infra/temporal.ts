// A Temporal server for local runs: the external one in TEMPORAL_ADDRESS, a dev server already listening on
// the configured port, or `temporal server start-dev` from the pinned toolchain (SQLite file in the data dir).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { nonEmpty, portSetting, type Env } from './env';
import { commandLine } from './proc-table';
import {
  LOCALHOST,
  errorMessage as message,
  isAlive,
  isPortOpen,
  readPidFile,
  removeFile,
  sleep,
  spawnServer,
  stopPid,
  withLogTail,
  writePidFile,
  type ManagedServer,
  type ServiceStatus,
  type SpawnedServer,
  type StopOutcome,
  type StopStep,
} from './processes';
import { SEARCH_ATTRIBUTES, indexedValueType, searchAttributeCliFlags } from './search-attributes';
import { dataDir, requireTemporalCli } from './toolchain';

export const DEFAULT_TEMPORAL_PORT = 7233;
export const DEFAULT_TEMPORAL_UI_PORT = 8233;

export interface TemporalHandle {
  /** host:port for Connection.connect / NativeConnection.connect. */
  readonly address: string;
  readonly namespace: string;
  /** The Web UI; undefined for an external server (unless TEMPORAL_UI_URL is set) or a reused one without UI. */
  readonly uiUrl: string | undefined;
  /** True when this call spawned the server, which stop() then shuts down. */
  readonly startedHere: boolean;
  /** Stops the server if this call started it (SIGTERM, SIGKILL after 10 s); otherwise does nothing. */
  stop(): Promise<void>;
  /** The server this call started (undefined when reused or external): a supervisor restarts it when it dies. */
  readonly server?: ManagedServer;
}

export interface EnsureTemporalOptions {
  /** gRPC port of a local server (default TEMPORAL_PORT or 7233). */
  readonly port?: number;
  /** Web UI port (default TEMPORAL_UI_PORT or 8233). */
  readonly uiPort?: number;
  /** Port of the dev server's Prometheus /metrics (default TEMPORAL_METRICS_PORT, else a random one). */
  readonly metricsPort?: number;
  /** Default TEMPORAL_NAMESPACE or "default". */
  readonly namespace?: string;
  /** Default BOT_DATA_DIR or <root>/.data; the server keeps temporal/{temporal.db,server.log,server.pid} there. */
  readonly dataDir?: string;
  /** false (default): the server dies with this process; true: it outlives it (`infra up`), see server.pid. */
  readonly detached?: boolean;
  /** How long a starting (or just-started) server may take to answer; default 60 s. */
  readonly readyTimeoutMs?: number;
  readonly log?: (message: string) => void;
  /** Where TEMPORAL_* and BOT_DATA_DIR are read from; default process.env. */
  readonly env?: Env;
}

export interface TemporalSettings {
  /** TEMPORAL_ADDRESS: use that server and never start one. */
  readonly externalAddress: string | undefined;
  readonly port: number;
  readonly uiPort: number;
  readonly metricsPort: number | undefined;
  readonly namespace: string;
  readonly dbFile: string;
  readonly logFile: string;
  readonly pidFile: string;
}

const REUSE_TIMEOUT_MS = 10_000;

const STOP_STEPS: readonly StopStep[] = [
  { signal: 'SIGTERM', waitMs: 10_000 },
  { signal: 'SIGKILL', waitMs: 3_000 },
];

export function temporalSettings(options: EnsureTemporalOptions = {}): TemporalSettings {
  const env = options.env ?? process.env;
  const dir = join(options.dataDir ?? dataDir(env), 'temporal');
  return {
    externalAddress: nonEmpty(env.TEMPORAL_ADDRESS),
    port: portSetting(options.port, env, 'TEMPORAL_PORT', DEFAULT_TEMPORAL_PORT),
    uiPort: portSetting(options.uiPort, env, 'TEMPORAL_UI_PORT', DEFAULT_TEMPORAL_UI_PORT),
    metricsPort:
      options.metricsPort ?? (nonEmpty(env.TEMPORAL_METRICS_PORT) === undefined ? undefined : portSetting(undefined, env, 'TEMPORAL_METRICS_PORT', 0)),
    namespace: options.namespace ?? nonEmpty(env.TEMPORAL_NAMESPACE) ?? 'default',
    dbFile: join(dir, 'temporal.db'),
    logFile: join(dir, 'server.log'),
    pidFile: join(dir, 'server.pid'),
  };
}

/**
 * Write-ahead log, synced at checkpoints: a workflow task no longer waits for its own fsync of the SQLite file (at 50
 * bots the server spent each minute's burst in fsyncs). A process crash loses nothing; an OS crash or power cut may
 * lose the last moments of history, which the bots recover from as from a worker restart (deterministic order ids,
 * reconciliation at start).
 */
const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/** The arguments of `temporal server start-dev` for these settings. */
export function startDevArgs(settings: TemporalSettings, withSearchAttributes: boolean): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    LOCALHOST,
    '--port',
    String(settings.port),
    '--ui-port',
    String(settings.uiPort),
    ...(settings.metricsPort === undefined ? [] : ['--metrics-port', String(settings.metricsPort)]),
    '--db-filename',
    settings.dbFile,
    '--namespace',
    settings.namespace,
    '--log-level',
    'warn',
    ...SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]),
    ...(withSearchAttributes ? searchAttributeCliFlags() : []),
  ];
}

export async function ensureTemporal(options: EnsureTemporalOptions = {}): Promise<TemporalHandle> {
  const env = options.env ?? process.env;
  const settings = temporalSettings(options);
  const log = options.log ?? (() => undefined);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const { namespace } = settings;

  if (settings.externalAddress !== undefined) {
    const address = settings.externalAddress;
    const connection = await connectExternal(address, namespace).catch((err: unknown) => {
      throw new Error(`Temporal at TEMPORAL_ADDRESS=${address} (namespace ${namespace}) is not reachable: ${message(err)}`);
    });
    await registerThenClose(connection, namespace, log);
    log(`Temporal: using ${address} from TEMPORAL_ADDRESS, namespace ${namespace}`);
    return { address, namespace, uiUrl: nonEmpty(env.TEMPORAL_UI_URL), startedHere: false, stop: () => Promise.resolve() };
  }

  const address = `${LOCALHOST}:${settings.port}`;
  const configuredUiUrl = `http://${LOCALHOST}:${settings.uiPort}`;
  if (await isPortOpen(settings.port)) {
    // Poll rather than try once: the listener may be a server another process is still starting (those answer
    // within a second or two of opening the port, so a listener that is not Temporal is reported quickly).
    const connection = await connectWhenReady(address, namespace, Math.min(readyTimeoutMs, REUSE_TIMEOUT_MS), () => undefined).catch((err: unknown) => {
      throw new Error(
        `Something listens on ${address} but does not answer as a Temporal server with namespace ${namespace}: ${message(err)}. Stop it or choose another port (TEMPORAL_PORT).`,
      );
    });
    await registerThenClose(connection, namespace, log);
    const uiUrl = (await isPortOpen(settings.uiPort)) ? configuredUiUrl : undefined;
    log(`Temporal: reusing the server on ${address}; Web UI: ${uiUrl ?? `nothing on port ${settings.uiPort}`}`);
    return { address, namespace, uiUrl, startedHere: false, stop: () => Promise.resolve() };
  }

  const cli = requireTemporalCli(env);
  mkdirSync(dirname(settings.dbFile), { recursive: true });
  const args = startDevArgs(settings, cliSupportsSearchAttributes(cli));
  let current: SpawnedServer | undefined;
  let stopping: Promise<void> | undefined;
  /** Spawns the dev server (on the same SQLite file every time, so workflows survive a restart) and waits until it answers. */
  const start = async (): Promise<SpawnedServer> => {
    const server = await spawnServer({ command: cli, args, logFile: settings.logFile, detached: options.detached ?? false, exitSignal: 'SIGTERM' });
    current = server;
    if (stopping) {
      // stop() was called while this one was spawning: it must not outlive the handle.
      await stopPid(server.pid, STOP_STEPS).catch(() => undefined);
      throw new Error('the Temporal server is being stopped');
    }
    writePidFile(settings.pidFile, server.pid);
    try {
      // A server that exits (e.g. its port is taken) fails the start at once, not after the probe in progress.
      const ready = connectWhenReady(address, namespace, readyTimeoutMs, server.exitStatus);
      const died = server.exited.then((how) => Promise.reject(new Error(`the server process ${how}`)));
      ready.catch(() => undefined);
      died.catch(() => undefined);
      const connection = await Promise.race([ready, died]);
      await registerThenClose(connection, namespace, log);
    } catch (err) {
      await stopPid(server.pid, STOP_STEPS).catch(() => undefined);
      throw new Error(withLogTail(`Temporal dev server (${cli}) on ${address} did not become ready: ${message(err)}`, settings.logFile));
    }
    return server;
  };
  const stop = () => {
    stopping ??= (async () => {
      const server = current;
      if (server === undefined) return;
      await stopPid(server.pid, STOP_STEPS);
      if (readPidFile(settings.pidFile) === server.pid) removeFile(settings.pidFile);
    })();
    return stopping;
  };
  const startedAt = Date.now();
  const first = await start();
  log(`Temporal: dev server started on ${address} in ${Date.now() - startedAt} ms (pid ${first.pid}, log ${settings.logFile}); Web UI: ${configuredUiUrl}`);
  const server: ManagedServer = {
    name: 'Temporal',
    pid: () => (current ?? first).pid,
    exited: () => (current ?? first).exited,
    restart: async () => {
      if (stopping) throw new Error('the Temporal server is being stopped');
      await start();
    },
  };
  return { address, namespace, uiUrl: configuredUiUrl, startedHere: true, stop, server };
}

/**
 * Registers the missing custom search attributes (SEARCH_ATTRIBUTES) on the namespace; idempotent.
 * Returns the names it added. Fails if one exists with another type, since workflows would then fail to upsert it.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = async () => (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  const current = await existing();
  const wrongType = SEARCH_ATTRIBUTES.filter((a) => a.name in current && current[a.name] !== indexedValueType(a.type));
  if (wrongType.length > 0) {
    throw new Error(
      `search attributes registered with another type in namespace ${namespace}: ${wrongType.map((a) => `${a.name} (want ${a.type})`).join(', ')}`,
    );
  }
  const missing = SEARCH_ATTRIBUTES.filter((a) => !(a.name in current));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((a) => [a.name, indexedValueType(a.type)])),
    });
  } catch (err) {
    // Another process may have registered them meanwhile; only fail if they are still missing.
    const after = await existing();
    const stillMissing = missing.filter((a) => !(a.name in after));
    if (stillMissing.length > 0) {
      throw new Error(`could not register search attributes ${stillMissing.map((a) => a.name).join(', ')} in namespace ${namespace}: ${message(err)}`);
    }
  }
  return missing.map((a) => a.name);
}

/** Stops the server `ensureTemporal({ detached: true })` started, found through its pid file. */
export async function stopTemporalServer(options: EnsureTemporalOptions = {}): Promise<StopOutcome> {
  const settings = temporalSettings(options);
  const pid = runningPid(settings);
  const outcome = pid === undefined ? 'not-running' : await stopPid(pid, STOP_STEPS);
  removeFile(settings.pidFile);
  return outcome;
}

export async function temporalStatus(options: EnsureTemporalOptions = {}): Promise<ServiceStatus> {
  const settings = temporalSettings(options);
  const { namespace } = settings;
  if (settings.externalAddress !== undefined) {
    const address = settings.externalAddress;
    try {
      await (await connectExternal(address, namespace)).close();
      return { running: true, summary: `external server ${address} (TEMPORAL_ADDRESS) answers, namespace ${namespace}` };
    } catch (err) {
      return { running: false, summary: `external server ${address} (TEMPORAL_ADDRESS) does not answer: ${message(err)}` };
    }
  }
  const address = `${LOCALHOST}:${settings.port}`;
  const pid = runningPid(settings);
  const owner = pid === undefined ? 'not started by this project' : `pid ${pid}, log ${settings.logFile}`;
  if (!(await isPortOpen(settings.port))) {
    return {
      running: false,
      summary: pid === undefined ? `not running (nothing on ${address})` : `pid ${pid} is alive but nothing listens on ${address}; see ${settings.logFile}`,
    };
  }
  try {
    await (await connectOnce(address, namespace, 5_000)).close();
  } catch (err) {
    return { running: false, summary: `${address} is open but does not answer as Temporal (namespace ${namespace}): ${message(err)}` };
  }
  const ui = (await isPortOpen(settings.uiPort)) ? `Web UI http://${LOCALHOST}:${settings.uiPort}` : `no Web UI on port ${settings.uiPort}`;
  return { running: true, summary: `running on ${address} (${owner}); ${ui}` };
}

/** The pid in server.pid if that process is still a dev server on our database file. */
function runningPid(settings: TemporalSettings): number | undefined {
  const pid = readPidFile(settings.pidFile);
  if (pid === undefined || !isAlive(pid)) return undefined;
  // Pids are reused: never signal a process that is not our server. Without /proc, trust the pid file.
  const cmd = commandLine(pid);
  return cmd === undefined || (cmd.includes('start-dev') && cmd.includes(settings.dbFile)) ? pid : undefined;
}

const searchAttributeSupport = new Map<string, boolean>();

/** Older CLIs (TEMPORAL_CLI_PATH) lack --search-attribute; registering through the operator API covers them. */
function cliSupportsSearchAttributes(cli: string): boolean {
  let supported = searchAttributeSupport.get(cli);
  if (supported === undefined) {
    const help = spawnSync(cli, ['server', 'start-dev', '--help'], { encoding: 'utf8', timeout: 10_000 });
    supported = `${help.stdout}${help.stderr}`.includes('--search-attribute');
    searchAttributeSupport.set(cli, supported);
  }
  return supported;
}

async function registerThenClose(connection: Connection, namespace: string, log: (message: string) => void): Promise<void> {
  try {
    const added = await ensureSearchAttributes(connection, namespace);
    if (added.length > 0) log(`Temporal: registered search attributes ${added.join(', ')} in namespace ${namespace}`);
  } finally {
    await connection.close();
  }
}

/** A refused TCP connection fails at once; gRPC alone would retry until its connect timeout. */
async function connectExternal(address: string, namespace: string): Promise<Connection> {
  const hostPort = /^\[?([^[\]]+?)\]?:(\d+)$/.exec(address);
  if (hostPort !== null && !(await isPortOpen(Number(hostPort[2]), hostPort[1], 5_000))) {
    throw new Error('nothing accepts TCP connections there');
  }
  return connectOnce(address, namespace, 10_000);
}

/** One attempt: connect and check the namespace exists. */
async function connectOnce(address: string, namespace: string, timeoutMs: number): Promise<Connection> {
  const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.describeNamespace({ namespace }));
    return connection;
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/** Polls until the server answers for the namespace; `exitStatus` makes a crashed server fail at once. */
async function connectWhenReady(address: string, namespace: string, timeoutMs: number, exitStatus: () => string | undefined): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  let lastError: unknown = new Error(`nothing listens on ${address}`);
  for (;;) {
    const exited = exitStatus();
    if (exited !== undefined) throw new Error(`the server process ${exited}`);
    // Probing the port first keeps each attempt cheap while the server is still booting.
    if (await isPortOpen(port)) {
      try {
        return await connectOnce(address, namespace, Math.max(1_000, Math.min(5_000, deadline - Date.now())));
      } catch (err) {
        lastError = err;
      }
    }
    if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms (last error: ${message(lastError)})`);
    await sleep(200);
  }
}
