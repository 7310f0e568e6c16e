/**
 * Everything a one-command run needs in this process: the infrastructure (started, or reused when
 * TEMPORAL_ADDRESS / DATABASE_URL are set or a server already answers), migrations, the database, and workers of
 * the trading, training and market-data queues. It rides out outages: the servers started here are restarted when
 * they die, external ones are waited for (supervise-infra.ts), and a worker an outage stopped is recreated
 * (resilient-workers.ts). `stop()` undoes only what was started here.
 */
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../db/client';
import { ensureInfra, type EnsureInfraOptions, type InfraHandle } from '../infra';
import { createMarketDataWorker, createTrainingWorker, createTradingWorker, type WorkerDeps } from '../workers/create-workers';
import { startResilientWorkers, type ResilientWorkers, type WorkerSpec } from './resilient-workers';
import { NO_WATCH, superviseInfra, type DependencyWatch, type SuperviseOptions } from './supervise-infra';
import { installObservedRuntime } from '../observability/runtime-options';

export interface LocalRuntime {
  readonly client: Client;
  readonly database: DatabaseHandle;
  readonly infra: InfraHandle;
  /** Temporal and PostgreSQL as this process sees them; the servers started here are restarted when they die. */
  readonly watch: DependencyWatch;
  /** The in-process workers (recreated after an outage that stopped them); undefined with `workers: false`. */
  readonly workers: ResilientWorkers | undefined;
  /** Resolves when the workers have stopped (after stop()). */
  readonly workersDone: Promise<void>;
  /** Stops the watch, the workers and the connections, in that order; then the servers this call started, unless `keepInfra`. */
  stop(options?: { keepInfra?: boolean }): Promise<void>;
}

export type WorkerQueue = 'trading' | 'training' | 'market-data';

export interface LocalRuntimeOptions {
  readonly log?: (message: string) => void;
  /** Start workers in this process (default true); false when separate worker processes serve the queues. */
  readonly workers?: boolean;
  /** The queues whose workers run here (default all three); the others are served by separate processes. */
  readonly queues?: readonly WorkerQueue[];
  readonly trainingSlots?: number;
  readonly onBotLatency?: (ms: number) => void;
  /** Ports, data folder and environment of the infrastructure (tests use their own). */
  readonly infra?: Omit<EnsureInfraOptions, 'log'>;
  /** Watch Temporal and PostgreSQL and restart the servers started here when they die (default true; tests tune it). */
  readonly supervise?: boolean | Omit<SuperviseOptions, 'log'>;
}

/**
 * The client's channel: grpc-js backs its reconnections off up to 2 minutes by default, so after a long outage a
 * client would go on failing for that long after the server is back. A local server is cheap to knock on.
 */
export const CLIENT_CHANNEL_ARGS = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2_000 } as const;

let runtimeInstalled = false;

/**
 * Temporal's core runtime can be installed once per process: structured log lines (observability/structured-log.ts),
 * warnings and up unless LOG_LEVEL says otherwise, and the SDK's Prometheus exporter when METRICS_PORT is set.
 */
export function installQuietRuntime(options: { shutdownSignals?: NodeJS.Signals[] } = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // Already installed by the host process (e.g. a test): that one is kept.
  installObservedRuntime(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {});
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  installQuietRuntime();
  const infra = await ensureInfra({ ...options.infra, log });
  let database: DatabaseHandle | undefined;
  let connection: Connection | undefined;
  let workers: ResilientWorkers | undefined;
  const supervise = options.supervise ?? true;
  const watch = supervise === false ? NO_WATCH : superviseInfra(infra, { ...(supervise === true ? {} : supervise), log });
  try {
    await migrateDatabase(infra.databaseUrl);
    database = openDatabase(infra.databaseUrl);
    connection = await Connection.connect({ address: infra.temporalAddress, channelArgs: CLIENT_CHANNEL_ARGS });
    const client = new Client({ connection, namespace: infra.temporal.namespace });
    if (options.workers !== false) {
      const db = database;
      const deps = (nc: NativeConnection): WorkerDeps => ({
        connection: nc,
        namespace: infra.temporal.namespace,
        db: db.db,
        sql: db.sql,
        trainingSlots: options.trainingSlots,
        ...(options.onBotLatency ? { onBotLatency: options.onBotLatency } : {}),
      });
      const all: Record<WorkerQueue, WorkerSpec> = {
        trading: { name: 'trading', create: (nc) => createTradingWorker(deps(nc)) },
        training: { name: 'training', create: (nc) => createTrainingWorker(deps(nc)) },
        'market-data': { name: 'market-data', create: (nc) => createMarketDataWorker(deps(nc)) },
      };
      const queues = options.queues ?? (['trading', 'training', 'market-data'] as const);
      workers = await startResilientWorkers({ address: infra.temporalAddress, specs: queues.map((q) => all[q]), log, watch });
    }
    const db = database;
    const conn = connection;
    const running = workers;
    let stopping: Promise<void> | undefined;
    return {
      client,
      database: db,
      infra,
      watch,
      workers: running,
      workersDone: running?.done ?? Promise.resolve(),
      stop: (stopOptions = {}) =>
        (stopping ??= (async () => {
          // No server is restarted on the way out; the workers stop before the servers they talk to. With Temporal
          // away, Core would spend ~10 s retrying what it cannot deliver: the workers get a few seconds (10 s with it
          // up), then this process moves on (the server keeps every task; it is handed out again once a worker polls).
          const temporalAway = !watch.isUp('temporal');
          await watch.stop();
          if (running) await Promise.race([running.shutdown(), new Promise((r) => setTimeout(r, temporalAway ? 3_000 : 10_000).unref())]);
          await conn.close();
          await db.close();
          if (!stopOptions.keepInfra) await infra.stop();
        })()),
    };
  } catch (err) {
    await watch.stop().catch(() => undefined);
    await workers?.shutdown().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await database?.close().catch(() => undefined);
    await infra.stop().catch(() => undefined);
    throw err;
  }
}
