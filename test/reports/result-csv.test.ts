import { equityCsv, parseEquityCsv } from '../../reports/equity-csv';
import { plainNumber } from '../../reports/numbers';
import { CsvError, parseTradesCsv, tradesCsv } from '../../reports/trades-csv';
import { equityCurve, T0, trades } from './fixtures';

describe('trades.csv', () => {
  it('starts with the header of strategy.md, exactly', () => {
    expect(tradesCsv([]).split('\n')[0]).toBe('side,entry_time,entry_price,exit_time,exit_price,qty,fees,funding,net_pnl,exit_reason,model_version');
    expect(tradesCsv([])).toBe('side,entry_time,entry_price,exit_time,exit_price,qty,fees,funding,net_pnl,exit_reason,model_version\n');
  });

  it('round-trips awkward numbers exactly and writes no exponents', () => {
    const text = tradesCsv(trades);
    expect(parseTradesCsv(text)).toEqual(trades);
    expect(text).not.toMatch(/\de[-+]?\d/i);
    const first = text.split('\n')[1]!;
    expect(first).toBe(
      `LONG,${T0 + 300_000},0.30000000000000004,${T0 + 1_200_000},22456.78901234568,0.0000001,0.000012345678901234568,-0.25,12.5,take_profit,m-2023-03-03T00:00Z`,
    );
  });

  it('quotes a model version only when it holds a comma or quote (RFC 4180)', () => {
    const lines = tradesCsv(trades).split('\n');
    expect(lines[1]!.endsWith(',m-2023-03-03T00:00Z')).toBe(true);
    expect(lines[2]!.endsWith(',stop_loss,"v1,""beta"""')).toBe(true);
    expect(lines[2]).toContain(',123456789.12345679,');
    expect(lines[2]).toContain(',100000000000000000000,');
  });

  it('reads CRLF line ends and a quoted line break', () => {
    const text = tradesCsv([{ ...trades[0]!, modelVersion: 'two\nlines' }]).replace(/\n(?!lines)/g, '\r\n');
    expect(parseTradesCsv(text)[0]!.modelVersion).toBe('two\nlines');
  });

  it('names the line and column of every bad value', () => {
    const good = tradesCsv(trades).trimEnd().split('\n');
    const bad = [good[0], good[1]!.replace('LONG', 'long'), good[2]!.replace(',3,', ',,'), 'SHORT,1,2,3'].join('\n');
    let message = '';
    try {
      parseTradesCsv(bad, 'run/trades.csv');
    } catch (err) {
      expect(err).toBeInstanceOf(CsvError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/run\/trades\.csv line 2: side: must be one of LONG, SHORT \(got "long"\)/);
    expect(message).toMatch(/line 3: qty: must be a decimal number \(got ""\)/);
    expect(message).toMatch(/line 4: expected 11 fields, got 4/);
  });

  it('rejects a wrong header and an exit before the entry', () => {
    expect(() => parseTradesCsv('side,entry\n')).toThrow(/line 1: header must be exactly "side,entry_time,/);
    const swapped = tradesCsv([{ ...trades[0]!, exitTime: trades[0]!.entryTime - 1 }]);
    expect(() => parseTradesCsv(swapped)).toThrow(/line 2: exit_time: exit_time is before entry_time/);
  });

  it('refuses to write what it could not read back', () => {
    expect(() => tradesCsv([{ ...trades[0]!, netPnl: Number.NaN }])).toThrow(/trades\[0\]\.netPnl: NaN is not a finite number/);
    expect(() => tradesCsv([{ ...trades[0]!, entryTime: 1.5 }])).toThrow(/trades\[0\]\.entryTime/);
    expect(() => tradesCsv([{ ...trades[0]!, funding: Number.POSITIVE_INFINITY }])).toThrow(/trades\[0\]\.funding: Infinity is not a finite number/);
  });
});

describe('equity.csv', () => {
  it('has the header open_time,equity and round-trips', () => {
    const points = equityCurve(3, (k) => [10_000, 10_000.1 + 0.2, 9_999.999999999998, 1e-7][k]!);
    const text = equityCsv(points);
    expect(text.split('\n')[0]).toBe('open_time,equity');
    expect(text.split('\n')).toHaveLength(points.length + 2); // header, rows, empty after the final "\n"
    expect(parseEquityCsv(text)).toEqual(points);
  });

  it('rejects times that go backwards, with the line', () => {
    const text = `open_time,equity\n${T0 + 60_000},10000\n${T0},10001\n`;
    expect(() => parseEquityCsv(text)).toThrow(/equity\.csv line 3: open_time .* is before the previous row/);
  });
});

describe('plainNumber', () => {
  it.each([0.1 + 0.2, 1e-7, -2.5e-12, 123e25, 5e-324, 1.7976931348623157e308, -1234.5])('writes %p in plain notation that reads back exactly', (n) => {
    const text = plainNumber(n);
    expect(text).toMatch(/^-?\d+(\.\d+)?$/);
    expect(Number(text)).toBe(n);
  });
});
