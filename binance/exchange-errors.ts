// Which exchange failures a retry may fix and which leave an order's existence unknown: the classification
// that decides both Temporal's retries and the executor's resend-after-lookup.
/** An order we refuse to send, or the exchange refused for a reason no retry fixes. Not retryable. */
export class OrderRejectedError extends Error {
  override name = 'OrderRejectedError';
}

/** The exchange has not (yet) confirmed an order's outcome; a retry looks the order up again. Retryable. */
export class OrderOutcomeUnknownError extends Error {
  override name = 'OrderOutcomeUnknownError';
}

/** Class names of an error's prototype chain: works across module copies and JavaScript realms (Jest). */
function errorClassNames(err: unknown): Set<string> {
  const names = new Set<string>();
  if (typeof err !== 'object' || err === null) return names;
  for (let proto: unknown = Object.getPrototypeOf(err); proto !== null && typeof proto === 'object'; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string') names.add(name);
  }
  return names;
}

/**
 * Whether a retry may succeed: ccxt's OperationFailed family (NetworkError and its RequestTimeout,
 * ExchangeNotAvailable, DDoSProtection, RateLimitExceeded, InvalidNonce; BadResponse; Binance's "unknown
 * error / execution status unknown" codes) and OrderOutcomeUnknownError. Everything else (ccxt's ExchangeError
 * family: InsufficientFunds, InvalidOrder, OrderNotFound, AuthenticationError, BadSymbol, BadRequest;
 * OrderRejectedError; programming errors) is not: the activity should fail with ApplicationFailure.nonRetryable.
 */
export function isRetryableExchangeError(err: unknown): boolean {
  const names = errorClassNames(err);
  return names.has('OperationFailed') || names.has('OrderOutcomeUnknownError');
}

// Refusals that happen before an order reaches the matching engine: retryable, but the order surely does not exist.
const REFUSED_BEFORE_EXECUTION = ['DDoSProtection', 'RateLimitExceeded', 'InvalidNonce'];

/** A failure after which an order we sent may or may not exist. */
export function isAmbiguousSendError(err: unknown): boolean {
  const names = errorClassNames(err);
  return isRetryableExchangeError(err) && !names.has('OrderOutcomeUnknownError') && !REFUSED_BEFORE_EXECUTION.some((n) => names.has(n));
}

export const isOrderNotFound = (err: unknown) => errorClassNames(err).has('OrderNotFound');
// -4116: ccxt maps it to InvalidOrder; the code is in the message (Binance's JSON body).
export const isDuplicateClientOrderId = (err: unknown) => err instanceof Error && /-4116\b/.test(err.message);

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
