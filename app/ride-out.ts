/**
 * What a long-running command does with a call that fails because Temporal or PostgreSQL is away: wait for the
 * dependency (supervise-infra.ts says when it is back) and call again, instead of exiting. Only outage errors are
 * retried; anything else (a workflow that failed, a bad argument) is thrown as before.
 */
import { isGrpcServiceError, ServiceError, type Client } from '@temporalio/client';
import { NO_WATCH, type Dependency, type DependencyWatch } from './supervise-infra';

/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: a server that is not there (or not yet); the client's own retries gave up. */
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/** postgres.js connection errors and the server states of a restart (57P01 admin shutdown, 57P03 starting up...). */
const DATABASE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** The error (or one of its causes) says the Temporal server could not be reached. */
export function isTemporalUnavailable(err: unknown): boolean {
  return causes(err).some((e) => {
    if (isGrpcServiceError(e)) return [UNAVAILABLE, DEADLINE_EXCEEDED].includes(Number(e.code));
    // A ServiceError whose gRPC cause was stripped still names the status in its message.
    return e instanceof ServiceError && /\b(14 UNAVAILABLE|4 DEADLINE_EXCEEDED)\b/.test(e.message);
  });
}

/** The error (or one of its causes, e.g. under drizzle's "Failed query") is a lost or refused database connection. */
export function isDatabaseUnavailable(err: unknown): boolean {
  return causes(err).some((e) => {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && DATABASE_CODES.has(code);
  });
}

export function outageOf(err: unknown): Dependency | null {
  if (isTemporalUnavailable(err)) return 'temporal';
  if (isDatabaseUnavailable(err)) return 'postgres';
  return null;
}

export interface RideOutOptions {
  readonly watch?: DependencyWatch;
  /** Called once per outage the call waits out (not once per attempt). */
  readonly onWait?: (dependency: Dependency, err: unknown) => void;
  /** Pause before each new attempt (default 1 s, doubling up to 15 s while the dependency stays away). */
  readonly backoffMs?: { readonly initial: number; readonly max: number };
  /** Stop retrying (and rethrow the last outage error) once this returns true, e.g. when the command is stopping. */
  readonly cancelled?: () => boolean;
}

/** Calls `fn` until it succeeds or fails with something that is not an outage. */
export async function rideOut<T>(fn: () => Promise<T>, options: RideOutOptions = {}): Promise<T> {
  const watch = options.watch ?? NO_WATCH;
  const backoff = options.backoffMs ?? { initial: 1_000, max: 15_000 };
  let delay = backoff.initial;
  let waitingFor: Dependency | null = null;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const dependency = outageOf(err);
      if (dependency === null || options.cancelled?.()) throw err;
      if (waitingFor !== dependency) options.onWait?.(dependency, err);
      waitingFor = dependency;
      await new Promise((resolve) => setTimeout(resolve, delay));
      await watch.whenUp(dependency);
      delay = watch.isUp(dependency) ? backoff.initial : Math.min(delay * 2, backoff.max);
      if (options.cancelled?.()) throw err;
    }
  }
}

/**
 * The result of a workflow (following its continue-as-new chain), however long Temporal is away meanwhile: a
 * client waiting on `handle.result()` otherwise gives up after the SDK's ten gRPC retries, about 20 s.
 */
export function durableResult<T>(client: Client, workflowId: string, options: RideOutOptions = {}): Promise<T> {
  // Without a run id the handle follows the current run: a wait resumed after an outage does not replay the chain.
  return rideOut(() => client.workflow.getHandle(workflowId).result() as Promise<T>, options);
}
