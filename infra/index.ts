// Local infrastructure in one call: Temporal and PostgreSQL, started (or found) in parallel.
import { ensurePostgres, type EnsurePostgresOptions, type PostgresHandle } from './postgres';
import { errorMessage } from './processes';
import { ensureTemporal, type EnsureTemporalOptions, type TemporalHandle } from './temporal';

export { ensurePostgres, postgresStatus, stopPostgresServer, type EnsurePostgresOptions, type PostgresHandle } from './postgres';
export { ensureSearchAttributes, ensureTemporal, stopTemporalServer, temporalStatus, type EnsureTemporalOptions, type TemporalHandle } from './temporal';
export { SEARCH_ATTRIBUTES } from './search-attributes';
export type { ManagedServer, ServiceStatus, StopOutcome } from './processes';

export interface EnsureInfraOptions {
  readonly log?: (message: string) => void;
  /** See EnsureTemporalOptions.detached / EnsurePostgresOptions.detached. */
  readonly detached?: boolean;
  readonly temporal?: Omit<EnsureTemporalOptions, 'log' | 'detached'>;
  readonly postgres?: Omit<EnsurePostgresOptions, 'log' | 'detached'>;
}

export interface InfraHandle {
  readonly temporal: TemporalHandle;
  readonly postgres: PostgresHandle;
  /** What workers and scripts connect to (TEMPORAL_ADDRESS / DATABASE_URL). */
  readonly temporalAddress: string;
  readonly databaseUrl: string;
  /** Stops whatever this call started. */
  stop(): Promise<void>;
}

export async function ensureInfra(options: EnsureInfraOptions = {}): Promise<InfraHandle> {
  const common = { ...(options.log ? { log: options.log } : {}), detached: options.detached ?? false };
  const [temporal, postgres] = await Promise.allSettled([
    ensureTemporal({ ...options.temporal, ...common }),
    ensurePostgres({ ...options.postgres, ...common }),
  ]);
  if (temporal.status === 'rejected' || postgres.status === 'rejected') {
    // Do not leave the half that did start running.
    await Promise.allSettled([temporal, postgres].flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop()] : [])));
    const failures = [temporal, postgres].flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []));
    throw new Error(failures.join('\n'));
  }
  return {
    temporal: temporal.value,
    postgres: postgres.value,
    temporalAddress: temporal.value.address,
    databaseUrl: postgres.value.url,
    stop: async () => {
      await Promise.all([temporal.value.stop(), postgres.value.stop()]);
    },
  };
}
