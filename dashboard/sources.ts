/**
 * Where the dashboard reads from: a Temporal client (connected lazily and again after a failure, so the dashboard
 * starts and stays up while Temporal is away) and a PostgreSQL pool (postgres.js reconnects by itself).
 */
import { Client, Connection } from '@temporalio/client';
import type { Database } from '../db/client';

export interface DashboardSources {
  /** Resolves to a connected client, or rejects with the reason Temporal cannot be reached. */
  temporal(): Promise<Client>;
  readonly db: Database;
  readonly namespace: string;
  /** Temporal Web UI base address, for links (null when unknown). */
  readonly temporalUiUrl: string | null;
  /** Folder holding backtests/<run-id>/ when a run row has no out_dir. */
  readonly backtestsDir: string;
}

/** A sources object around an existing client (npm start, npm run demo, tests). */
export function sourcesFromClient(client: Client, rest: Omit<DashboardSources, 'temporal'>): DashboardSources {
  return { ...rest, temporal: () => Promise.resolve(client) };
}

/** A lazily (re)connected client for the standalone dashboard; close() ends the connection if one was made. */
export function lazyTemporal(address: string, namespace: string): { temporal: () => Promise<Client>; close: () => Promise<void> } {
  let connecting: Promise<Client> | null = null;
  let connection: Connection | null = null;
  const temporal = () =>
    (connecting ??= Connection.connect({ address, connectTimeout: 3_000 }).then(
      (c) => {
        connection = c;
        return new Client({ connection: c, namespace });
      },
      (err: unknown) => {
        connecting = null; // try again at the next request
        throw new Error(`Temporal at ${address} is not reachable: ${err instanceof Error ? err.message : String(err)}`);
      },
    ));
  return { temporal, close: async () => void (await connection?.close()) };
}
