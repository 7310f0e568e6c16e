/**
 * Shared start-up of a standalone worker process (one per task queue, as on separate hosts): it needs
 * TEMPORAL_ADDRESS and DATABASE_URL (or the local defaults of `npm run infra -- up`), applies migrations,
 * and stops gracefully on SIGINT/SIGTERM (or when the npm that started it is gone) so in-flight activities finish.
 * It rides out outages of Temporal and PostgreSQL: an external server is waited for, one it started itself is
 * restarted (app/supervise-infra.ts), and a worker that an outage stopped is recreated (app/resilient-workers.ts).
 */
import type { Worker } from '@temporalio/worker';
import { installQuietRuntime } from '../app/local-runtime';
import { startResilientWorkers, type ResilientWorkers } from '../app/resilient-workers';
import { watchStopRequests } from '../app/stop-requests';
import { superviseInfra } from '../app/supervise-infra';
import { loadEnvFile } from '../config/secrets';
import { migrateDatabase, openDatabase } from '../db/client';
import { ensureInfra } from '../infra';
import type { WorkerDeps } from './create-workers';
import { startProcessStats } from './process-stats';
import { startMetricsServerFromEnv } from '../observability/metrics-server';
import { logEvent } from '../observability/structured-log';

export async function runWorker(name: string, create: (deps: WorkerDeps) => Promise<Worker>): Promise<void> {
  loadEnvFile();
  // This process owns the signals: the SDK would only stop a worker that exists, not one being recreated.
  installQuietRuntime({ shutdownSignals: [] });
  const stops = watchStopRequests({ log: (line) => logEvent('WARN', line, { process: name }) });
  const stats = startProcessStats(name);
  // GET /metrics (bot + Temporal SDK) when METRICS_PORT is set; unref'd, it never holds the process up.
  const metrics = await startMetricsServerFromEnv(name);
  // Reuses running servers (or those named by TEMPORAL_ADDRESS / DATABASE_URL); starts local ones otherwise.
  const infra = await ensureInfra({ log: (m) => logEvent('INFO', m, { process: name }) });
  await migrateDatabase(infra.databaseUrl);
  const database = openDatabase(infra.databaseUrl);
  const log = (line: string) => logEvent('WARN', line, { process: name });
  const watch = superviseInfra(infra, { log });
  let workers: ResilientWorkers | undefined;
  try {
    const slots = process.env.TRAINING_SLOTS ? Number(process.env.TRAINING_SLOTS) : undefined;
    if (slots !== undefined && !(Number.isInteger(slots) && slots > 0))
      throw new Error(`TRAINING_SLOTS must be a positive integer (got '${process.env.TRAINING_SLOTS}')`);
    const deps = { namespace: infra.temporal.namespace, db: database.db, sql: database.sql, trainingSlots: slots };
    workers = await startResilientWorkers({
      address: infra.temporalAddress,
      watch,
      log,
      specs: [{ name, create: (connection) => create({ ...deps, connection }) }],
    });
    const taskQueue = workers.current()[0]?.options.taskQueue;
    logEvent('INFO', 'polling task queue', { process: name, taskQueue, temporalAddress: infra.temporalAddress });
    const stop = await Promise.race([stops.requested, workers.done.then(() => null)]);
    if (stop !== null) logEvent('INFO', 'stopping', { process: name, reason: stop.reason });
  } finally {
    // The worker first (its in-flight activities finish or are cancelled), then what it talks to. Bounded: with
    // Temporal away, or an activity that ignores its cancellation, the server hands the task out again anyway.
    const temporalAway = !watch.isUp('temporal');
    await watch.stop();
    if (workers) await Promise.race([workers.shutdown(), new Promise((r) => setTimeout(r, temporalAway ? 3_000 : 10_000).unref())]);
    stops.dispose();
    stats.stop();
    await metrics?.close();
    await database.close();
    await infra.stop();
    // Everything is closed; a handle some library leaked (e.g. an exchange socket left by a reconnect cycle of
    // the kline stream during an outage) must not keep the process up after a stop.
    setTimeout(() => process.exit(process.exitCode ?? 0), 1_000).unref();
  }
}
