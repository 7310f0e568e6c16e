/**
 * npm run setup: one-shot preparation of external services (docker-compose's `setup` service): applies the
 * database migrations and registers the search attributes. Idempotent.
 */
import { Connection } from '@temporalio/client';
import { loadEnvFile } from '../config/secrets';
import { migrateDatabase } from '../db/client';
import { ensureInfra, ensureSearchAttributes } from '../infra';

async function main(): Promise<void> {
  loadEnvFile();
  const infra = await ensureInfra({ log: (m) => console.log(m) });
  try {
    await migrateDatabase(infra.databaseUrl);
    console.log('database migrated');
    const connection = await Connection.connect({ address: infra.temporalAddress });
    try {
      const added = await ensureSearchAttributes(connection, infra.temporal.namespace);
      console.log(added.length > 0 ? `search attributes added: ${added.join(', ')}` : 'search attributes already registered');
    } finally {
      await connection.close();
    }
  } finally {
    await infra.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`setup failed: ${(err as Error).message}`);
  process.exit(1);
});
