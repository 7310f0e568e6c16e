/**
 * Opening the database (drizzle over postgres.js) and applying the migrations in db/migrations.
 */
import path from 'node:path';
import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase, type PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import * as schema from './schema';

export type Schema = typeof schema;
/** The drizzle instance, typed with the schema (relational queries: `db.query.models.findFirst(...)`). */
export type Database = PostgresJsDatabase<Schema>;
/**
 * What repositories accept: the database or a transaction opened on it (`db.transaction(async (tx) => ...)`),
 * so callers decide the transaction boundaries.
 */
export type Executor = PgDatabase<PostgresJsQueryResultHKT, Schema>;

export interface DatabaseHandle {
  readonly db: Database;
  /** The underlying postgres.js client, for raw SQL. */
  readonly sql: postgres.Sql;
  /** Ends the pool, waiting up to 5 s for running queries. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Pool size (default 10). */
  readonly max?: number;
}

/** Migrations live next to this file; resolving them from here (not from cwd) works from any directory. */
export const MIGRATIONS_FOLDER = path.resolve(__dirname, 'migrations');

/**
 * Serialises concurrent migrateDatabase() calls across processes (a worker fleet starting together).
 * Arbitrary but fixed: the bytes of "lgbmfut" read as an integer.
 */
const MIGRATION_LOCK_KEY = 0x6c67626d667574n;

function client(url: string, max: number): postgres.Sql {
  return postgres(url, {
    max,
    // PostgreSQL reports "already exists, skipping" and similar NOTICEs on every idempotent DDL; they are noise.
    onnotice: () => {},
    // Every table is a projection written idempotently by activities (Temporal's history is the record of every
    // decision; orders are reconciled with the exchange by client order id), so a crash may lose the last commits
    // without harm: no fsync wait per commit (~20 ms here), no risk of corruption.
    connection: { application_name: 'lgbm-futures-bot', synchronous_commit: 'off' },
  });
}

export function openDatabase(url: string, options: OpenDatabaseOptions = {}): DatabaseHandle {
  const sql = client(url, options.max ?? 10);
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * Applies every pending migration of db/migrations. Idempotent, and safe when several processes call it at once:
 * a session-level advisory lock makes them take turns, so the second one finds nothing left to apply.
 */
export async function migrateDatabase(url: string): Promise<void> {
  // One connection, so the advisory lock, the migration and the unlock share a session.
  const sql = client(url, 1);
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    try {
      await migrate(drizzle(sql, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
