/**
 * Minimal RFC 4180 codec for the result files. Records are written with "\n" line ends (what Unix tools and
 * pandas expect); the reader accepts "\n" and "\r\n", a leading UTF-8 BOM, and quoted fields that contain
 * commas, quotes or line breaks.
 */

/** A malformed or invalid result file; the message names the source and the line. */
export class CsvError extends Error {
  override name = 'CsvError';
}

/** Quotes a field only when RFC 4180 requires it (comma, double quote, CR or LF inside). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRecord(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  readonly line: number;
  readonly fields: string[];
}

/** Splits CSV text into records. Trailing line breaks are ignored; an empty text yields no records. */
export function parseCsvRecords(text: string, source: string): CsvRecord[] {
  const input = (text.startsWith('\uFEFF') ? text.slice(1) : text).replace(/(?:\r?\n)+$/, '');
  const records: CsvRecord[] = [];
  if (input === '') return records;
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;

  while (i < input.length) {
    const ch = input[i]!;
    if (ch === '"' && field === '') {
      // Quoted field: runs to the next quote that is not doubled, and may span lines.
      const openedAt = line;
      i++;
      for (;;) {
        const q = input[i];
        if (q === undefined) throw new CsvError(`${source} line ${openedAt}: unterminated quoted field`);
        if (q === '"' && input[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (q === '"') {
          i++;
          break;
        } else {
          if (q === '\n') line++;
          field += q;
          i++;
        }
      }
      const next = input[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvError(`${source} line ${line}: unexpected character ${JSON.stringify(next)} after a closing quote`);
      }
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (ch === '\n' || (ch === '\r' && input[i + 1] === '\n')) {
      fields.push(field);
      if (fields.length === 1 && field === '') throw new CsvError(`${source} line ${line}: empty line`);
      records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      i += ch === '\r' ? 2 : 1;
      line++;
      recordLine = line;
    } else if (ch === '"') {
      throw new CsvError(`${source} line ${line}: a double quote inside an unquoted field (quote the whole field)`);
    } else {
      field += ch;
      i++;
    }
  }
  fields.push(field);
  records.push({ line: recordLine, fields });
  return records;
}
