/**
 * Shared start-up of a standalone worker process (one per task queue, as on separate hosts): it needs
 * TEMPORAL_ADDRESS and DATABASE_URL (or the local defaults of `npm run infra -- up`), applies migrations,
 * and stops gracefully on SIGINT/SIGTERM so in-flight activities finish.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { installQuietRuntime } from '../app/local-runtime';
import { loadEnvFile } from '../config/secrets';
import { migrateDatabase, openDatabase } from '../db/client';
import { ensureInfra } from '../infra';
import type { WorkerDeps } from './create-workers';
import { startProcessStats } from './process-stats';

export async function runWorker(name: string, create: (deps: WorkerDeps) => Promise<Worker>): Promise<void> {
  loadEnvFile();
  installQuietRuntime();
  const stats = startProcessStats(name);
  // Reuses running servers (or those named by TEMPORAL_ADDRESS / DATABASE_URL); starts local ones otherwise.
  const infra = await ensureInfra({ log: (m) => console.log(`[${name}] ${m}`) });
  await migrateDatabase(infra.databaseUrl);
  const database = openDatabase(infra.databaseUrl);
  const connection = await NativeConnection.connect({ address: infra.temporalAddress });
  try {
    const slots = process.env.TRAINING_SLOTS ? Number(process.env.TRAINING_SLOTS) : undefined;
    if (slots !== undefined && !(Number.isInteger(slots) && slots > 0))
      throw new Error(`TRAINING_SLOTS must be a positive integer (got '${process.env.TRAINING_SLOTS}')`);
    const worker = await create({ connection, namespace: infra.temporal.namespace, db: database.db, sql: database.sql, trainingSlots: slots });
    console.log(`[${name}] polling task queue '${worker.options.taskQueue}' on ${infra.temporalAddress}`);
    await worker.run(); // the SDK shuts the worker down on SIGINT/SIGTERM
  } finally {
    stats.stop();
    await connection.close();
    await database.close();
    await infra.stop();
  }
}
