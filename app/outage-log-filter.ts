/**
 * Which SDK log entries an outage floods the log with, so the Runtime logger can leave them out: the dependency
 * watch (supervise-infra.ts) already says, once, that Temporal or PostgreSQL went away and, once, that it is back,
 * with the number of entries left out meanwhile. Measured during a PostgreSQL outage of a paper run: every attempt of
 * every activity that touches the database logs `Activity failed` with a connection error and its stack (awaitBar,
 * streamBars, the retrain activities: several per second); during a Temporal outage, activity completions and
 * heartbeats that cannot be delivered.
 *
 * Wiring (the Runtime logger lives in observability/structured-log.ts createRuntimeLogger):
 *   `if (isOutageNoise(entry)) return;` at the top of its log function.
 * Core's own console lines (`gRPC call poll_... retried N times`, about 4 a second while Temporal is away) bypass
 * any JS logger; they are quietened by the Runtime's Core log filter, e.g. `temporalio_client::retry=ERROR`.
 */
import { isDatabaseUnavailable, isTemporalUnavailable } from './ride-out';

export interface LogEntryLike {
  readonly level: string;
  readonly message: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** SDK messages that report one failed attempt of something Temporal retries by itself. */
const RETRIED_FAILURES = [/^Activity failed/, /^Local activity failed/, /^Failed to (complete|heartbeat|record heartbeat)/i, /^Network error/i];

/** Core's words for a server that is not there, in forwarded entries (their fields are plain strings). */
const CORE_UNAVAILABLE = /code: Unavailable|tcp connect error|Connection refused|transport error|connection reset|broken pipe/i;

let suppressed = 0;

/** True for an entry caused by an outage of Temporal or PostgreSQL (counted; see takeSuppressedCount). */
export function isOutageNoise(entry: LogEntryLike): boolean {
  if (entry.level !== 'WARN' && entry.level !== 'ERROR') return false;
  const meta = entry.meta ?? {};
  let noise = false;
  if (RETRIED_FAILURES.some((pattern) => pattern.test(entry.message))) {
    const error = meta.error ?? meta.failure ?? meta.err;
    noise = isDatabaseUnavailable(error) || isTemporalUnavailable(error);
  }
  if (!noise && meta.sdkComponent === 'core') {
    noise = Object.values(meta).some((value) => typeof value === 'string' && CORE_UNAVAILABLE.test(value)) || CORE_UNAVAILABLE.test(entry.message);
  }
  if (noise) suppressed += 1;
  return noise;
}

/** Entries left out since the last call (the dependency watch reports them in its "is back" line). */
export function takeSuppressedCount(): number {
  const count = suppressed;
  suppressed = 0;
  return count;
}
