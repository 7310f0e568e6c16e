/**
 * Reading a result CSV into validated rows: exact header, field count per record, and a zod schema per
 * row, with every problem reported as "<source> line <n>: <column>: <reason> (got "<text>")".
 */
import { z } from 'zod';
import { CsvError, parseCsvRecords } from './csv';
import { DECIMAL_PATTERN } from './numbers';

/** A CSV cell holding a decimal number (exponent notation accepted, "", NaN and Infinity refused). */
export const csvNumber = z
  .string()
  .regex(DECIMAL_PATTERN, 'must be a decimal number')
  .transform(Number)
  .pipe(z.number({ error: 'must be a finite number' }));

/** A CSV cell holding Unix milliseconds. */
export const csvTime = csvNumber.pipe(z.number().int('must be an integer (Unix milliseconds)').nonnegative('must not be negative'));

/** Stop listing problems after this many: one bad column usually repeats on every line. */
const MAX_REPORTED = 10;

export function parseCsvTable<T>(text: string, source: string, header: readonly string[], schema: z.ZodType<T>): { line: number; row: T }[] {
  const records = parseCsvRecords(text, source);
  const first = records[0];
  if (first === undefined) throw new CsvError(`${source}: empty file, expected the header ${header.join(',')}`);
  if (first.fields.join(',') !== header.join(',')) {
    throw new CsvError(`${source} line 1: header must be exactly "${header.join(',')}", got "${first.fields.join(',')}"`);
  }
  const problems: string[] = [];
  const rows: { line: number; row: T }[] = [];
  for (const { line, fields } of records.slice(1)) {
    if (fields.length !== header.length) {
      problems.push(`${source} line ${line}: expected ${header.length} fields, got ${fields.length}`);
      continue;
    }
    const raw: Record<string, string> = {};
    header.forEach((name, k) => (raw[name] = fields[k]!));
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      rows.push({ line, row: parsed.data });
      continue;
    }
    for (const issue of parsed.error.issues) {
      const column = issue.path.length > 0 ? String(issue.path[0]) : '';
      const got = column in raw ? ` (got ${JSON.stringify(raw[column])})` : '';
      problems.push(`${source} line ${line}: ${column ? `${column}: ` : ''}${issue.message}${got}`);
    }
  }
  if (problems.length > 0) {
    const more = problems.length > MAX_REPORTED ? `\n  ... and ${problems.length - MAX_REPORTED} more` : '';
    throw new CsvError(`Invalid ${source}:\n  ${problems.slice(0, MAX_REPORTED).join('\n  ')}${more}`);
  }
  return rows;
}
