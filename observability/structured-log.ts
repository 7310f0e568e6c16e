/**
 * One line per event, for the operator's log shipper: JSON (`{"ts","level","msg",...fields}`) when stdout is not a
 * terminal or LOG_FORMAT=json, a readable `time LEVEL msg key=value` line on a terminal or with LOG_FORMAT=text.
 * The same formatter backs the Temporal Runtime logger, so SDK, workflow (`log.*` through the SDK's sinks) and
 * activity logs come out in the same shape as the worker processes' own events.
 */
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { isOutageNoise } from '../app/outage-log-filter';

export type LogFormat = 'json' | 'text';

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
/** Keys of the line itself; a field with one of these names is written as `_<name>` instead of overwriting it. */
const RESERVED = new Set(['ts', 'level', 'msg']);

export type LogFields = Readonly<Record<string, unknown>>;

export interface LogLine {
  readonly ts: number;
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields?: LogFields;
}

/** LOG_FORMAT (json | text) when set, otherwise JSON unless stdout is a terminal. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = process.stdout.isTTY === true): LogFormat {
  const value = env.LOG_FORMAT?.trim().toLowerCase();
  if (value === undefined || value === '') return stdoutIsTty ? 'text' : 'json';
  if (value === 'json' || value === 'text') return value;
  throw new Error(`LOG_FORMAT must be json or text (got '${env.LOG_FORMAT}')`);
}

/** LOG_LEVEL (trace, debug, info, warn, error; any case) when set, otherwise `fallback`. */
export function logLevel(env: NodeJS.ProcessEnv = process.env, fallback: LogLevel = 'WARN'): LogLevel {
  const value = env.LOG_LEVEL?.trim().toUpperCase();
  if (value === undefined || value === '') return fallback;
  const level = LEVELS.find((l) => l === value);
  if (level === undefined) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')} (got '${env.LOG_LEVEL}')`);
  return level;
}

/** JSON-safe copy: errors as {name, message, stack}, bigints as strings, cycles cut, undefined dropped. */
function plain(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => plain(v, seen) ?? null);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = plain(v, seen);
    if (p !== undefined) out[k] = p;
  }
  seen.delete(value);
  return out;
}

function plainFields(fields: LogFields | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new WeakSet<object>();
  for (const [k, v] of Object.entries(fields ?? {})) {
    const p = plain(v, seen);
    if (p !== undefined) out[RESERVED.has(k) ? `_${k}` : k] = p;
  }
  return out;
}

function textValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** The line (no trailing newline). Newlines inside messages are escaped, so one event is always one line. */
export function formatLogLine(line: LogLine, format: LogFormat): string {
  const fields = plainFields(line.fields);
  const ts = new Date(line.ts).toISOString();
  if (format === 'json') return JSON.stringify({ ts, level: line.level.toLowerCase(), msg: line.msg, ...fields });
  const extra = Object.entries(fields).map(([k, v]) => ` ${k}=${textValue(v)}`);
  return `${ts} ${line.level.padEnd(5)} ${line.msg.replace(/\r?\n/g, '\\n')}${extra.join('')}`;
}

/** Where lines go: stdout for a process's own events (as console.log did), stderr for the SDK's (as Temporal's default). */
export type LogStream = 'stdout' | 'stderr';

function write(stream: LogStream, text: string): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(`${text}\n`);
}

/** A process event: one structured line, written whatever LOG_LEVEL says (these are the process's own few lines). */
export function logEvent(level: LogLevel, msg: string, fields?: LogFields, stream: LogStream = level === 'ERROR' ? 'stderr' : 'stdout'): void {
  write(stream, formatLogLine({ ts: Date.now(), level, msg, ...(fields ? { fields } : {}) }, logFormat()));
}

/**
 * The Temporal Runtime logger: the SDK's DefaultLogger (level filtering, timestamps of forwarded core logs) with
 * our formatter as its output. Written to stderr, as the SDK's default, so CLI output on stdout stays clean.
 */
export function createRuntimeLogger(level: LogLevel = logLevel(), format: LogFormat = logFormat()): DefaultLogger {
  return new DefaultLogger(level, (entry: LogEntry) => {
    // One failed attempt per activity per second during an outage: counted, and reported by the dependency watch.
    if (isOutageNoise(entry)) return;
    const fields: LogFields | undefined = entry.meta;
    write(
      'stderr',
      formatLogLine({ ts: Number(entry.timestampNanos / 1_000_000n), level: entry.level, msg: entry.message, ...(fields ? { fields } : {}) }, format),
    );
  });
}
