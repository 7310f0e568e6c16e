/**
 * A throw-away PostgreSQL for database tests: the embedded server (infra/postgres.ts) on a temporary data
 * directory and a free port. It is given an empty environment, so a DATABASE_URL (or PGPORT_EMBEDDED) set in
 * the shell cannot make the test use, and write into, another database. Migrations are left to the tests.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePostgres } from '../../infra/postgres';

export interface TempPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startTempPostgres(): Promise<TempPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lgbm-bot-pg-test-'));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    // mkdtemp makes a 0700 folder; when tests run as root the server runs as another OS user, who must enter it.
    chmodSync(dataDir, 0o755);
    const pg = await ensurePostgres({ dataDir, port: await freePort(), env: {}, log: () => {} });
    if (!pg.startedHere) throw new Error(`expected a fresh embedded PostgreSQL, got the running server at ${pg.url}`);
    return {
      url: pg.url,
      stop: async () => {
        try {
          await pg.stop();
        } finally {
          removeDataDir();
        }
      },
    };
  } catch (err) {
    removeDataDir();
    throw err;
  }
}
