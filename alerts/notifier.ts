/**
 * Sends one alert event to every configured target with Node's fetch, each target on its own (one failing or
 * slow receiver never holds back the others) and each bounded by a timeout, and reports every target's outcome.
 * A (target, key) pair delivered once is not sent again by this notifier (a retried activity attempt), and two
 * concurrent sends of one pair share one request. In dry-run mode the event's line is printed instead.
 */
import { alertText, type AlertEvent, type AlertKind } from './alert-event';
import { DeliveredKeys } from './delivered-keys';
import { alertRequest, retryableStatus, type AlertTarget, type AlertTargetType } from './targets';

export type TargetOutcome =
  | { readonly target: string; readonly type: AlertTargetType; readonly status: 'sent'; readonly httpStatus: number }
  | { readonly target: string; readonly type: AlertTargetType; readonly status: 'already-sent' | 'printed' }
  | {
      readonly target: string;
      readonly type: AlertTargetType;
      readonly status: 'failed';
      readonly error: string;
      /** False when another attempt would fail the same way (a 4xx other than 408/425/429). */
      readonly retryable: boolean;
      readonly httpStatus?: number;
    };

export interface DeliveryReport {
  readonly key: string;
  readonly kind: AlertKind;
  readonly text: string;
  readonly outcomes: readonly TargetOutcome[];
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface NotifierOptions {
  readonly targets: readonly AlertTarget[];
  /** Print the event's line instead of sending (config alerts.dry_run, `npm run alerts -- test --dry-run`). */
  readonly dryRun?: boolean;
  /** Per request, connection to last byte of the answer (default 10 s). */
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
  readonly print?: (line: string) => void;
  readonly delivered?: DeliveredKeys;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_DETAIL = 200;

/** Removes the target's secrets (URL, token) from text that may quote them (error messages, echoed bodies). */
function redact(text: string, target: AlertTarget): string {
  const secrets = target.type === 'telegram' ? [target.token] : [target.url];
  return secrets.reduce((out, secret) => (secret.length > 0 ? out.split(secret).join('<redacted>') : out), text);
}

/** The useful part of an error answer: Telegram's `description`, else the start of the body. */
function answerDetail(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'description' in parsed && typeof parsed.description === 'string') return parsed.description;
  } catch {
    // not JSON: the text itself
  }
  return body.trim().slice(0, MAX_DETAIL);
}

interface ErrorLike {
  readonly name: string;
  readonly message: string;
  readonly cause?: unknown;
}

/** Duck-typed: fetch's errors may come from another realm (instanceof Error fails there, e.g. under jest). */
function isErrorLike(x: unknown): x is ErrorLike {
  return typeof x === 'object' && x !== null && typeof (x as ErrorLike).message === 'string' && typeof (x as ErrorLike).name === 'string';
}

function errorText(err: unknown, timeoutMs: number): string {
  if (!isErrorLike(err)) return String(err);
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (err.name === 'AbortError') return 'cancelled';
  // fetch's own message is just "fetch failed": the cause says why (ECONNREFUSED, ENOTFOUND, a TLS error...).
  return isErrorLike(err.cause) ? `${err.message}: ${err.cause.message}` : err.message;
}

export class Notifier {
  private readonly targets: readonly AlertTarget[];
  private readonly dryRun: boolean;
  private readonly timeoutMs: number;
  private readonly fetch: FetchLike;
  private readonly print: (line: string) => void;
  private readonly delivered: DeliveredKeys;
  private readonly inflight = new Map<string, Promise<TargetOutcome>>();

  constructor(options: NotifierOptions) {
    this.targets = options.targets;
    this.dryRun = options.dryRun ?? false;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.print = options.print ?? ((line) => console.log(line));
    this.delivered = options.delivered ?? new DeliveredKeys();
  }

  /** Never throws for a target's failure: it is in the report. `signal` aborts the requests in flight. */
  async send(event: AlertEvent, signal?: AbortSignal): Promise<DeliveryReport> {
    const text = alertText(event);
    const report = (outcomes: readonly TargetOutcome[]): DeliveryReport => ({ key: event.key, kind: event.kind, text, outcomes });
    if (this.dryRun) {
      this.print(`[alert dry-run] ${text} (key ${event.key})`);
      return report(this.targets.map((t) => ({ target: t.name, type: t.type, status: 'printed' })));
    }
    return report(await Promise.all(this.targets.map((target) => this.sendOnce(target, event, signal))));
  }

  private sendOnce(target: AlertTarget, event: AlertEvent, signal: AbortSignal | undefined): Promise<TargetOutcome> {
    if (this.delivered.has(target.name, event.key)) return Promise.resolve({ target: target.name, type: target.type, status: 'already-sent' });
    const id = `${target.name}\u0000${event.key}`;
    const running = this.inflight.get(id);
    if (running !== undefined) return running;
    const sending = this.deliver(target, event, signal).finally(() => this.inflight.delete(id));
    this.inflight.set(id, sending);
    return sending;
  }

  private async deliver(target: AlertTarget, event: AlertEvent, signal: AbortSignal | undefined): Promise<TargetOutcome> {
    const request = alertRequest(target, event);
    const base = { target: target.name, type: target.type } as const;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await this.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      // Read the answer in full: it frees the connection, and an error's body says why.
      const body = await response.text();
      if (response.ok) {
        this.delivered.add(target.name, event.key);
        return { ...base, status: 'sent', httpStatus: response.status };
      }
      const detail = answerDetail(body);
      return {
        ...base,
        status: 'failed',
        httpStatus: response.status,
        retryable: retryableStatus(response.status),
        error: redact(`HTTP ${response.status}${detail ? `: ${detail}` : ''}`, target),
      };
    } catch (err) {
      return { ...base, status: 'failed', retryable: true, error: redact(errorText(err, this.timeoutMs), target) };
    }
  }
}

/** One line per target, e.g. "telegram: sent (HTTP 200)", "ops-hook: FAILED (HTTP 401: Unauthorized), not retryable". */
export function describeOutcome(outcome: TargetOutcome): string {
  switch (outcome.status) {
    case 'sent':
      return `${outcome.target}: sent (HTTP ${outcome.httpStatus})`;
    case 'already-sent':
      return `${outcome.target}: already sent (same key)`;
    case 'printed':
      return `${outcome.target}: not sent (dry run)`;
    case 'failed':
      return `${outcome.target}: FAILED (${outcome.error})${outcome.retryable ? '' : ', not retryable'}`;
  }
}
