/** trades.csv of a backtest run (strategy.md, "Result files of a backtest run"). */
import { z } from 'zod';
import { CsvError, csvRecord } from './csv';
import { csvNumber, csvTime, parseCsvTable } from './csv-table';
import { plainNumber } from './numbers';
import { EXIT_REASONS, SIDES, type TradeRow } from './types';

export const TRADES_CSV_HEADER = [
  'side',
  'entry_time',
  'entry_price',
  'exit_time',
  'exit_price',
  'qty',
  'fees',
  'funding',
  'net_pnl',
  'exit_reason',
  'model_version',
] as const;

function time(value: number, row: number, column: string): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`trades[${row}].${column}: ${value} is not an integer of Unix milliseconds`);
  return String(value);
}

function num(value: number, row: number, column: string): string {
  if (!Number.isFinite(value)) throw new RangeError(`trades[${row}].${column}: ${value} is not a finite number`);
  return plainNumber(value);
}

/**
 * Renders trades.csv: the header, then one line per trade in the given order, each ending with "\n".
 * Times are Unix ms integers; other numbers use the shortest round-trip digits in plain notation.
 */
export function tradesCsv(trades: readonly TradeRow[]): string {
  const lines = [TRADES_CSV_HEADER.join(',')];
  trades.forEach((t, i) => {
    lines.push(
      csvRecord([
        t.side,
        time(t.entryTime, i, 'entryTime'),
        num(t.entryPrice, i, 'entryPrice'),
        time(t.exitTime, i, 'exitTime'),
        num(t.exitPrice, i, 'exitPrice'),
        num(t.qty, i, 'qty'),
        num(t.fees, i, 'fees'),
        num(t.funding, i, 'funding'),
        num(t.netPnl, i, 'netPnl'),
        t.exitReason,
        t.modelVersion,
      ]),
    );
  });
  return `${lines.join('\n')}\n`;
}

const positive = csvNumber.pipe(z.number().positive('must be greater than 0'));

const tradeRecord = z
  .object({
    side: z.enum(SIDES, { error: `must be one of ${SIDES.join(', ')}` }),
    entry_time: csvTime,
    entry_price: positive,
    exit_time: csvTime,
    exit_price: positive,
    qty: positive,
    fees: csvNumber.pipe(z.number().nonnegative('must not be negative')),
    funding: csvNumber,
    net_pnl: csvNumber,
    exit_reason: z.enum(EXIT_REASONS, { error: `must be one of ${EXIT_REASONS.join(', ')}` }),
    model_version: z.string().min(1, 'must not be empty'),
  })
  .refine((r) => r.exit_time >= r.entry_time, { message: 'exit_time is before entry_time', path: ['exit_time'] })
  .transform((r): TradeRow => ({
    side: r.side,
    entryTime: r.entry_time,
    entryPrice: r.entry_price,
    exitTime: r.exit_time,
    exitPrice: r.exit_price,
    qty: r.qty,
    fees: r.fees,
    funding: r.funding,
    netPnl: r.net_pnl,
    exitReason: r.exit_reason,
    modelVersion: r.model_version,
  }));

/**
 * Parses and validates trades.csv (for tests and tools). Throws a CsvError listing each bad line and
 * column, e.g. "trades.csv line 3: entry_price: must be a decimal number (got "abc")".
 */
export function parseTradesCsv(text: string, source = 'trades.csv'): TradeRow[] {
  return parseCsvTable(text, source, TRADES_CSV_HEADER, tradeRecord).map(({ row }) => row);
}

export { CsvError };
