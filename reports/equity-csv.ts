/** equity.csv of a backtest run: the starting capital at T0, then one row per test bar close. */
import { z } from 'zod';
import { CsvError, csvRecord } from './csv';
import { csvNumber, csvTime, parseCsvTable } from './csv-table';
import { plainNumber } from './numbers';
import type { EquityPoint } from './types';

export const EQUITY_CSV_HEADER = ['open_time', 'equity'] as const;

/** Renders equity.csv; numbers as in trades.csv (Unix ms integers, shortest round-trip plain decimals). */
export function equityCsv(points: readonly EquityPoint[]): string {
  const lines = [EQUITY_CSV_HEADER.join(',')];
  points.forEach((p, i) => {
    if (!Number.isSafeInteger(p.openTime)) throw new RangeError(`equity[${i}].openTime: ${p.openTime} is not an integer of Unix milliseconds`);
    if (!Number.isFinite(p.equity)) throw new RangeError(`equity[${i}].equity: ${p.equity} is not a finite number`);
    lines.push(csvRecord([String(p.openTime), plainNumber(p.equity)]));
  });
  return `${lines.join('\n')}\n`;
}

const equityRecord = z.object({ open_time: csvTime, equity: csvNumber }).transform((r): EquityPoint => ({ openTime: r.open_time, equity: r.equity }));

/** Parses and validates equity.csv; times must not go backwards. */
export function parseEquityCsv(text: string, source = 'equity.csv'): EquityPoint[] {
  const rows = parseCsvTable(text, source, EQUITY_CSV_HEADER, equityRecord);
  for (let k = 1; k < rows.length; k++) {
    const prev = rows[k - 1]!;
    const cur = rows[k]!;
    if (cur.row.openTime < prev.row.openTime) {
      throw new CsvError(`${source} line ${cur.line}: open_time ${cur.row.openTime} is before the previous row's ${prev.row.openTime}`);
    }
  }
  return rows.map(({ row }) => row);
}

export { CsvError };
