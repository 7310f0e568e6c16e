// How the kline stream recovers from failures: which errors are permanent, the jittered exponential backoff
// and an abortable sleep; apart from the stream so the policy reads (and is tested) on its own.
import ccxt from 'ccxt';

export interface BackoffOptions {
  /** First delay after a failure; doubles with each consecutive failure. Default 500 ms. */
  readonly initialMs: number;
  /** Cap. Default 10 s. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000 };

/** Errors no reconnect can fix: the activity fails instead of retrying forever. */
export function isPermanentStreamError(err: unknown): boolean {
  return err instanceof ccxt.BadSymbol || err instanceof ccxt.BadRequest || err instanceof ccxt.NotSupported || err instanceof ccxt.AuthenticationError;
}

/** Exponential backoff with jitter (+-25%, so a fleet does not reconnect in step), capped. */
export function backoffDelay(failures: number, backoff: BackoffOptions): number {
  const exponential = backoff.initialMs * 2 ** Math.min(failures, 30);
  return Math.round(Math.min(backoff.maxMs, exponential * (0.75 + Math.random() * 0.5)));
}

export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
