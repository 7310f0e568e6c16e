/**
 * Everything a one-command run needs in this process: the infrastructure (started, or reused when
 * TEMPORAL_ADDRESS / DATABASE_URL are set or a server already answers), migrations, the database, and workers of
 * the trading and training queues. `stop()` undoes only what was started here.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../db/client';
import { ensureInfra, type EnsureInfraOptions, type InfraHandle } from '../infra';
import { createMarketDataWorker, createTrainingWorker, createTradingWorker } from '../workers/create-workers';

export interface LocalRuntime {
  readonly client: Client;
  readonly database: DatabaseHandle;
  readonly infra: InfraHandle;
  /** Resolves when the workers have stopped (after stop()). */
  readonly workersDone: Promise<void>;
  /** Stops the workers and closes the connections; then the servers this call started, unless `keepInfra`. */
  stop(options?: { keepInfra?: boolean }): Promise<void>;
}

export interface LocalRuntimeOptions {
  readonly log?: (message: string) => void;
  /** Start workers in this process (default true); false when separate worker processes serve the queues. */
  readonly workers?: boolean;
  readonly trainingSlots?: number;
  readonly onBotLatency?: (ms: number) => void;
  /** Ports, data folder and environment of the infrastructure (tests use their own). */
  readonly infra?: Omit<EnsureInfraOptions, 'log'>;
}

let runtimeInstalled = false;

/** Temporal's core runtime can be installed once per process; keep its logs to warnings. */
export function installQuietRuntime(options: { shutdownSignals?: NodeJS.Signals[] } = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), ...(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {}) });
  } catch {
    // Already installed by the host process (e.g. a test): keep that one.
  }
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  installQuietRuntime();
  const infra = await ensureInfra({ ...options.infra, log });
  let database: DatabaseHandle | undefined;
  const workers: Worker[] = [];
  let nativeConnection: NativeConnection | undefined;
  let connection: Connection | undefined;
  try {
    await migrateDatabase(infra.databaseUrl);
    database = openDatabase(infra.databaseUrl);
    connection = await Connection.connect({ address: infra.temporalAddress });
    const client = new Client({ connection, namespace: infra.temporal.namespace });
    let workersDone: Promise<void> = Promise.resolve();
    if (options.workers !== false) {
      nativeConnection = await NativeConnection.connect({ address: infra.temporalAddress });
      const deps = {
        connection: nativeConnection,
        namespace: infra.temporal.namespace,
        db: database.db,
        sql: database.sql,
        trainingSlots: options.trainingSlots,
        ...(options.onBotLatency ? { onBotLatency: options.onBotLatency } : {}),
      };
      workers.push(await createTradingWorker(deps), await createTrainingWorker(deps), await createMarketDataWorker(deps));
      workersDone = Promise.all(workers.map((w) => w.run())).then(() => undefined);
    }
    const db = database;
    const nc = nativeConnection;
    const conn = connection;
    return {
      client,
      database: db,
      infra,
      workersDone,
      stop: async (stopOptions = {}) => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await workersDone.catch(() => undefined);
        await nc?.close();
        await conn.close();
        await db.close();
        if (!stopOptions.keepInfra) await infra.stop();
      },
    };
  } catch (err) {
    await connection?.close().catch(() => undefined);
    await nativeConnection?.close().catch(() => undefined);
    await database?.close().catch(() => undefined);
    await infra.stop().catch(() => undefined);
    throw err;
  }
}
