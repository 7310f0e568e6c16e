import { LogTimestamp } from '@temporalio/worker';
import { takeSuppressedCount } from '../../app/outage-log-filter';
import { createRuntimeLogger, formatLogLine, logEvent, logFormat, logLevel } from '../../observability/structured-log';

const TS = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

/** Captures what is written to a stream during fn. */
function capture(stream: NodeJS.WriteStream, fn: () => void): string[] {
  const lines: string[] = [];
  const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe('formatLogLine', () => {
  test('JSON: ts, level and msg first, then the fields, on one line', () => {
    const line = formatLogLine({ ts: TS, level: 'WARN', msg: 'order failed\nintent dropped', fields: { symbol: 'BTCUSDT', qty: 0.5 } }, 'json');
    expect(line).not.toContain('\n');
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['ts', 'level', 'msg', 'symbol', 'qty']);
    expect(JSON.parse(line)).toEqual({ ts: '2025-01-02T03:04:05.678Z', level: 'warn', msg: 'order failed\nintent dropped', symbol: 'BTCUSDT', qty: 0.5 });
  });

  test('JSON: errors, bigints, dates, non-finite numbers and cycles are serialisable; undefined is dropped; reserved names are kept aside', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const err = new Error('boom');
    const parsed = JSON.parse(
      formatLogLine(
        {
          ts: TS,
          level: 'ERROR',
          msg: 'failed',
          fields: { error: err, big: 12n, at: new Date(TS), ratio: Number.NaN, cyclic, gone: undefined, msg: 'field named msg', list: [1, undefined] },
        },
        'json',
      ),
    ) as Record<string, unknown>;
    expect(parsed.msg).toBe('failed');
    expect(parsed._msg).toBe('field named msg');
    expect(parsed.error).toEqual({ name: 'Error', message: 'boom', stack: err.stack });
    expect(parsed.big).toBe('12');
    expect(parsed.at).toBe('2025-01-02T03:04:05.678Z');
    expect(parsed.ratio).toBe('NaN');
    expect(parsed.cyclic).toEqual({ name: 'a', self: '[Circular]' });
    expect(parsed.list).toEqual([1, null]);
    expect('gone' in parsed).toBe(false);
  });

  test('text: time, level, message and key=value fields (quoted when needed)', () => {
    const line = formatLogLine(
      { ts: TS, level: 'INFO', msg: 'polling task queue', fields: { taskQueue: 'trading', note: 'two words', n: 3, o: { a: 1 } } },
      'text',
    );
    expect(line).toBe('2025-01-02T03:04:05.678Z INFO  polling task queue taskQueue=trading note="two words" n=3 o={"a":1}');
    expect(formatLogLine({ ts: TS, level: 'WARN', msg: 'a\nb' }, 'text')).toBe('2025-01-02T03:04:05.678Z WARN  a\\nb');
  });
});

describe('format and level from the environment', () => {
  test('JSON unless stdout is a terminal; LOG_FORMAT overrides', () => {
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({}, true)).toBe('text');
    expect(logFormat({ LOG_FORMAT: 'JSON' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'text' }, false)).toBe('text');
    expect(() => logFormat({ LOG_FORMAT: 'yaml' }, false)).toThrow(/LOG_FORMAT must be json or text/);
  });

  test('WARN unless LOG_LEVEL says otherwise', () => {
    expect(logLevel({})).toBe('WARN');
    expect(logLevel({ LOG_LEVEL: 'debug' })).toBe('DEBUG');
    expect(() => logLevel({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR/);
  });
});

describe('writers', () => {
  const saved = process.env.LOG_FORMAT;
  afterEach(() => {
    if (saved === undefined) delete process.env.LOG_FORMAT;
    else process.env.LOG_FORMAT = saved;
  });

  test('the Temporal Runtime logger: level-filtered structured lines on stderr, with the SDK metadata as fields and its timestamp', () => {
    const logger = createRuntimeLogger('WARN', 'json');
    const lines = capture(process.stderr, () => {
      logger.info('below the level');
      // What a workflow's log.warn arrives as through the SDK's sinks: its context as metadata, and its own time.
      logger.warn('kill switch fired', { sdkComponent: 'workflow', workflowId: 'bot-BTCUSDT-paper', [LogTimestamp]: BigInt(TS) * 1_000_000n });
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      ts: '2025-01-02T03:04:05.678Z',
      level: 'warn',
      msg: 'kill switch fired',
      sdkComponent: 'workflow',
      workflowId: 'bot-BTCUSDT-paper',
    });
  });

  test('an outage leaves out the failed attempts Temporal retries by itself, and counts them; other failures stay', () => {
    takeSuppressedCount();
    const logger = createRuntimeLogger('WARN', 'json');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' });
    const lines = capture(process.stderr, () => {
      logger.warn('Activity failed', { sdkComponent: 'activity', activityType: 'awaitBar', error: refused });
      logger.warn('Activity failed', { sdkComponent: 'activity', activityType: 'awaitBar', error: new Error('feature window too short') });
    });
    expect(lines.map((l) => (JSON.parse(l) as { error: { message: string } }).error.message)).toEqual(['feature window too short']);
    expect(takeSuppressedCount()).toBe(1);
  });

  test("a process's own events go to stdout (errors to stderr) whatever the level", () => {
    process.env.LOG_FORMAT = 'json';
    const out = capture(process.stdout, () => logEvent('INFO', 'polling task queue', { taskQueue: 'trading' }));
    expect(JSON.parse(out[0]!)).toMatchObject({ level: 'info', msg: 'polling task queue', taskQueue: 'trading' });
    const err = capture(process.stderr, () => logEvent('ERROR', 'worker failed', { error: new Error('x') }));
    expect(JSON.parse(err[0]!)).toMatchObject({ level: 'error', msg: 'worker failed', error: { message: 'x' } });
  });
});
