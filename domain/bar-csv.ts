/**
 * Parser of 1-minute bar files (text in, bars out; no I/O). Two formats are recognised:
 * - `ohlcv`: the project's shared format, `open_time,open,high,low,close,volume` (data/README.md);
 * - `binance-kline`: Binance's 12-column kline dumps (data.binance.vision, REST /klines): open_time, open, high,
 *   low, close, volume, close_time, quote_volume, count, taker_buy_volume, taker_buy_quote_volume, ignore.
 * Either may start with a header line; the format is detected from the header or, without one, from the number
 * of columns. Binance's spot dumps from 2025 on give times in microseconds: a file whose timestamps have 16
 * digits is read as microseconds and converted to milliseconds (13 digits are milliseconds; anything else is
 * refused, so a seconds-based file cannot pass for a millisecond one).
 *
 * Every row is validated and the first bad row fails the whole file with its 1-based line number, because a
 * partially imported history would silently corrupt features and backtests.
 */
import { BAR_MS, findGaps, type Bar, type Gap } from './bars';

export type BarCsvFormat = 'ohlcv' | 'binance-kline';
export type BarTimeUnit = 'ms' | 'us';

export interface ParsedBarCsv {
  /** Ascending, one per minute present in the file; times in Unix ms. */
  readonly bars: Bar[];
  readonly format: BarCsvFormat;
  readonly hasHeader: boolean;
  /** Unit of the timestamps in the file (bars are always in ms). */
  readonly timeUnit: BarTimeUnit;
  /** Missing minutes between the first and the last bar. */
  readonly gaps: Gap[];
}

export interface ParseBarCsvOptions {
  /** Named in error messages, e.g. the file name. */
  readonly source?: string;
}

/** A rejected file: `line` is the 1-based line of the first bad row, `problem` says what is wrong with it. */
export class BarCsvError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
    source?: string,
  ) {
    super(`${source === undefined ? '' : `${source}: `}line ${line}: ${problem}`);
    this.name = 'BarCsvError';
  }
}

const OHLCV_HEADER = ['open_time', 'open', 'high', 'low', 'close', 'volume'];
const BINANCE_HEADER = [...OHLCV_HEADER, 'close_time', 'quote_volume', 'count', 'taker_buy_volume', 'taker_buy_quote_volume', 'ignore'];
const COLUMNS: Record<BarCsvFormat, number> = { ohlcv: OHLCV_HEADER.length, 'binance-kline': BINANCE_HEADER.length };

// Plain decimal notation only: Number() would also accept '', '0x1f', 'Infinity' and ' '.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^\d+$/;
const DIGITS_PER_UNIT: Record<number, BarTimeUnit> = { 13: 'ms', 16: 'us' };
// Division, not multiplication by 0.001: dividing an exact multiple of 1000 is exact in float64.
const UNITS_PER_MS: Record<BarTimeUnit, number> = { ms: 1, us: 1000 };

type Fail = (problem: string) => never;

function parseNumber(field: string, column: string, fail: Fail): number {
  const s = field.trim();
  if (!DECIMAL.test(s)) fail(`${column} is not a number: "${field}"`);
  const value = Number(s);
  if (!Number.isFinite(value)) fail(`${column} is not finite: "${field}"`);
  return value;
}

function parseTimestamp(field: string, column: string, fail: Fail): { value: number; unit: BarTimeUnit } {
  const s = field.trim();
  if (!INTEGER.test(s)) fail(`${column} is not an integer timestamp: "${field}"`);
  const unit = DIGITS_PER_UNIT[s.length];
  if (unit === undefined) {
    fail(`${column} ${s} has ${s.length} digits: expected Unix milliseconds (13 digits) or microseconds (16 digits)`);
  }
  return { value: Number(s), unit };
}

function detectHeader(fields: readonly string[]): BarCsvFormat | undefined {
  const names = fields.map((f) => f.trim().toLowerCase());
  const same = (expected: readonly string[]) => names.length === expected.length && names.every((n, i) => n === expected[i]);
  if (same(OHLCV_HEADER)) return 'ohlcv';
  if (same(BINANCE_HEADER)) return 'binance-kline';
  return undefined;
}

function formatFromColumnCount(count: number): BarCsvFormat | undefined {
  if (count === COLUMNS.ohlcv) return 'ohlcv';
  if (count === COLUMNS['binance-kline']) return 'binance-kline';
  return undefined;
}

/** Parses and validates a whole bar file; throws BarCsvError on the first bad line. */
export function parseBarCsv(text: string, options: ParseBarCsvOptions = {}): ParsedBarCsv {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let format: BarCsvFormat | undefined;
  let hasHeader = false;
  let timeUnit: BarTimeUnit | undefined;
  let firstDataLine = 0;
  const bars: Bar[] = [];
  let prevLine = 0;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    // Blank lines (typically the trailing newline) carry no row.
    if (raw.trim() === '') continue;
    const lineNo = i + 1;
    const fail: Fail = (problem) => {
      throw new BarCsvError(lineNo, problem, options.source);
    };
    const fields = raw.split(',');

    if (format === undefined) {
      // The first non-blank line decides the format: a header if its first field is not a number.
      if (!INTEGER.test(fields[0]!.trim())) {
        format = detectHeader(fields);
        if (format === undefined) {
          fail(`unrecognised header "${raw.trim()}": expected "${OHLCV_HEADER.join(',')}" or Binance's 12 kline columns "${BINANCE_HEADER.join(',')}"`);
        }
        hasHeader = true;
        continue;
      }
      format = formatFromColumnCount(fields.length);
      if (format === undefined) {
        fail(`expected ${COLUMNS.ohlcv} columns (${OHLCV_HEADER.join(',')}) or ${COLUMNS['binance-kline']} (Binance kline), found ${fields.length}`);
      }
    }

    if (fields.length !== COLUMNS[format]) {
      fail(`expected ${COLUMNS[format]} columns (${format}), found ${fields.length}`);
    }

    const time = parseTimestamp(fields[0]!, 'open_time', fail);
    if (timeUnit === undefined) {
      timeUnit = time.unit;
      firstDataLine = lineNo;
    } else if (time.unit !== timeUnit) {
      fail(`open_time ${fields[0]!.trim()} is in ${time.unit} but line ${firstDataLine} is in ${timeUnit}`);
    }
    const openTime = time.value / UNITS_PER_MS[timeUnit];
    if (!Number.isInteger(openTime) || openTime % BAR_MS !== 0) {
      fail(`open_time ${fields[0]!.trim()} is not aligned to a minute`);
    }

    const open = parseNumber(fields[1]!, 'open', fail);
    const high = parseNumber(fields[2]!, 'high', fail);
    const low = parseNumber(fields[3]!, 'low', fail);
    const close = parseNumber(fields[4]!, 'close', fail);
    const volume = parseNumber(fields[5]!, 'volume', fail);

    if (format === 'binance-kline') {
      // close_time is the last instant of the bar; any other width means these are not 1-minute klines.
      const closeTime = parseTimestamp(fields[6]!, 'close_time', fail);
      const expected = time.value + (timeUnit === 'ms' ? BAR_MS - 1 : BAR_MS * 1000 - 1);
      if (closeTime.value !== expected) {
        fail(`close_time ${fields[6]!.trim()} is not open_time + 1 minute - 1 ${timeUnit} (${expected}): not a 1-minute kline`);
      }
    }

    if (!(open > 0 && high > 0 && low > 0 && close > 0)) {
      fail(`prices must be positive (open ${open}, high ${high}, low ${low}, close ${close})`);
    }
    if (high < Math.max(open, close)) fail(`high ${high} is below max(open, close) ${Math.max(open, close)}`);
    if (low > Math.min(open, close)) fail(`low ${low} is above min(open, close) ${Math.min(open, close)}`);
    if (volume < 0) fail(`volume ${volume} is negative`);

    const prev = bars[bars.length - 1];
    if (prev !== undefined && openTime <= prev.openTime) {
      fail(
        openTime === prev.openTime
          ? `duplicate open_time ${fields[0]!.trim()} (also on line ${prevLine})`
          : `open_time ${fields[0]!.trim()} is earlier than line ${prevLine}'s: rows must be in ascending time order`,
      );
    }

    bars.push({ openTime, open, high, low, close, volume });
    prevLine = lineNo;
  }

  if (format === undefined || timeUnit === undefined || bars.length === 0) {
    throw new BarCsvError(lines.length, 'the file holds no bars', options.source);
  }
  return { bars, format, hasHeader, timeUnit, gaps: findGaps(bars) };
}
