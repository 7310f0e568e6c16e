/**
 * Parser of funding-rate files (text in, rates out; no I/O): a header `funding_time,funding_rate` or
 * `funding_time,funding_rate,mark_price`, then one row per settled funding, in ascending time order. Times are Unix
 * milliseconds UTC (13 digits) and are floored to the minute (Binance's records carry a few ms past the hour);
 * rates are fractions (0.0001 = 0.01 %); an empty mark price means "not known" (the bar's open is used).
 * The first bad row fails the whole file with its 1-based line number: a partly read series would silently
 * change every result.
 */
import { z } from 'zod';
import { fundingMinute, type FundingRate } from './trading/funding';

export const FUNDING_CSV_HEADERS = ['funding_time,funding_rate', 'funding_time,funding_rate,mark_price'] as const;

/** Larger rates are not funding rates in fractions (a percentage, or another column): refused rather than applied. */
export const MAX_ABS_FUNDING_RATE = 0.1;

/** A rejected file: `line` is the 1-based line of the first bad row, `problem` says what is wrong with it. */
export class FundingCsvError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
    source?: string,
  ) {
    super(`${source === undefined ? '' : `${source}: `}line ${line}: ${problem}`);
    this.name = 'FundingCsvError';
  }
}

// Plain decimal notation only: Number() would also accept '', '0x1f', 'Infinity' and ' '.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const decimal = z.string().trim().regex(DECIMAL, 'is not a decimal number').transform(Number).pipe(z.number().finite('is not finite'));

const row = z.object({
  funding_time: z
    .string()
    .trim()
    .regex(/^\d{13}$/, 'is not Unix milliseconds (13 digits)')
    .transform(Number),
  funding_rate: decimal.pipe(
    z
      .number()
      .min(-MAX_ABS_FUNDING_RATE, `is below -${MAX_ABS_FUNDING_RATE}: rates are fractions (0.0001 = 0.01 %)`)
      .max(MAX_ABS_FUNDING_RATE, `is above ${MAX_ABS_FUNDING_RATE}: rates are fractions (0.0001 = 0.01 %)`),
  ),
  mark_price: z.union([z.literal('').transform(() => null), decimal.pipe(z.number().positive('must be greater than 0'))]).optional(),
});

/** Parses and validates a whole funding file; throws FundingCsvError on the first bad line. */
export function parseFundingCsv(text: string, options: { readonly source?: string } = {}): FundingRate[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const fail = (line: number, problem: string): never => {
    throw new FundingCsvError(line, problem, options.source);
  };
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) fail(1, `empty file: expected the header "${FUNDING_CSV_HEADERS[1]}" (mark_price optional)`);
  const header = lines[headerAt]!.trim().toLowerCase();
  if (!(FUNDING_CSV_HEADERS as readonly string[]).includes(header)) {
    fail(headerAt + 1, `unrecognised header "${lines[headerAt]!.trim()}": expected "${FUNDING_CSV_HEADERS[0]}" or "${FUNDING_CSV_HEADERS[1]}"`);
  }
  const columns = header.split(',');
  const rates: FundingRate[] = [];
  let prevLine = 0;
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const lineNo = i + 1;
    const fields = raw.split(',');
    if (fields.length !== columns.length) fail(lineNo, `expected ${columns.length} fields (${header}), found ${fields.length}`);
    const parsed = row.safeParse(Object.fromEntries(columns.map((c, k) => [c, fields[k]!])));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const column = String(issue.path[0] ?? '');
      fail(lineNo, `${column} ${issue.message} (got "${fields[columns.indexOf(column)]?.trim() ?? ''}")`);
    } else {
      const { funding_time: time, funding_rate: rate, mark_price: mark } = parsed.data;
      const prev = rates[rates.length - 1];
      if (prev !== undefined && fundingMinute(time) <= fundingMinute(prev.time)) {
        fail(
          lineNo,
          fundingMinute(time) === fundingMinute(prev.time)
            ? `funding_time ${time} falls in the same minute as line ${prevLine}'s (${prev.time})`
            : `funding_time ${time} is earlier than line ${prevLine}'s: rows must be in ascending time order`,
        );
      }
      rates.push({ time: fundingMinute(time), rate, markPrice: mark ?? null });
      prevLine = lineNo;
    }
  }
  if (rates.length === 0) fail(lines.length, 'the file holds no funding rates');
  return rates;
}
