import { BarCsvError, parseBarCsv } from '../../domain/bar-csv';
import { BAR_MS } from '../../domain/bars';

const T0 = 1_677_628_800_000; // 2023-03-01T00:00Z
const HEADER = 'open_time,open,high,low,close,volume';
const BINANCE_HEADER = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';

interface RowSpec {
  t: number;
  o?: number;
  h?: number;
  l?: number;
  c?: number;
  v?: number;
}
const row = ({ t, o = 100, h = 101, l = 99, c = 100.5, v = 2 }: RowSpec) => `${t},${o},${h},${l},${c},${v}`;
/** A Binance kline line; `unit` 1 for ms, 1000 for microseconds. */
const klineRow = (r: RowSpec, unit = 1) => {
  const [, o, h, l, c, v] = row(r).split(',');
  return [r.t * unit, o, h, l, c, v, (r.t + BAR_MS) * unit - 1, '201.5', 17, '1.1', '110.2', '0'].join(',');
};
const minutes = (n: number, from = T0) => Array.from({ length: n }, (_, i) => from + i * BAR_MS);

/** Runs the parser and returns the error it throws (the test fails if it does not throw a BarCsvError). */
function rejection(text: string): BarCsvError {
  try {
    parseBarCsv(text, { source: 'bars.csv' });
  } catch (err) {
    if (err instanceof BarCsvError) return err;
    throw err;
  }
  throw new Error('expected the file to be refused');
}

describe('parseBarCsv: the shared format', () => {
  it('reads a file with header, values and all', () => {
    const text = [HEADER, row({ t: T0, o: 23140.48, h: 23150.77, l: 23128.52, c: 23142.31, v: 2.131777 }), row({ t: T0 + BAR_MS, v: 0 })].join('\n');
    const parsed = parseBarCsv(text);
    expect(parsed.format).toBe('ohlcv');
    expect(parsed.hasHeader).toBe(true);
    expect(parsed.timeUnit).toBe('ms');
    expect(parsed.bars).toEqual([
      { openTime: T0, open: 23140.48, high: 23150.77, low: 23128.52, close: 23142.31, volume: 2.131777 },
      { openTime: T0 + BAR_MS, open: 100, high: 101, low: 99, close: 100.5, volume: 0 },
    ]);
    expect(parsed.gaps).toEqual([]);
  });

  it('reads the same rows without a header, with CRLF line ends and a trailing newline', () => {
    const lines = minutes(3).map((t) => row({ t }));
    const withHeader = parseBarCsv([HEADER, ...lines].join('\n'));
    const bare = parseBarCsv(`${lines.join('\r\n')}\r\n`);
    expect(bare.hasHeader).toBe(false);
    expect(bare.format).toBe('ohlcv');
    expect(bare.bars).toEqual(withHeader.bars);
  });

  it('reports missing minutes as gaps', () => {
    const times = [T0, T0 + BAR_MS, T0 + 4 * BAR_MS, T0 + 5 * BAR_MS, T0 + 7 * BAR_MS];
    const parsed = parseBarCsv([HEADER, ...times.map((t) => row({ t }))].join('\n'));
    expect(parsed.bars.map((b) => b.openTime)).toEqual(times);
    expect(parsed.gaps).toEqual([
      { from: T0 + 2 * BAR_MS, count: 2 },
      { from: T0 + 6 * BAR_MS, count: 1 },
    ]);
  });
});

describe('parseBarCsv: Binance kline dumps', () => {
  const specs: RowSpec[] = minutes(3).map((t, i) => ({ t, o: 200 + i, h: 205 + i, l: 199 + i, c: 201 + i, v: 3 + i }));
  const expected = specs.map((s) => ({ openTime: s.t, open: s.o, high: s.h, low: s.l, close: s.c, volume: s.v }));

  it('reads a headerless 12-column dump in milliseconds', () => {
    const parsed = parseBarCsv(specs.map((s) => klineRow(s)).join('\n'));
    expect(parsed.format).toBe('binance-kline');
    expect(parsed.hasHeader).toBe(false);
    expect(parsed.bars).toEqual(expected);
  });

  it('reads a dump with Binance header', () => {
    const parsed = parseBarCsv([BINANCE_HEADER, ...specs.map((s) => klineRow(s))].join('\n'));
    expect(parsed.format).toBe('binance-kline');
    expect(parsed.hasHeader).toBe(true);
    expect(parsed.bars).toEqual(expected);
  });

  it('converts microsecond timestamps (16 digits) to milliseconds', () => {
    const text = specs.map((s) => klineRow(s, 1000)).join('\n');
    expect(text.split(',')[0]).toHaveLength(16);
    const parsed = parseBarCsv(text);
    expect(parsed.timeUnit).toBe('us');
    expect(parsed.bars).toEqual(expected);
  });

  it('refuses klines of another interval (close_time is not one minute after open_time)', () => {
    const lines = specs.map((s) => klineRow(s));
    const cells = lines[1]!.split(',');
    cells[6] = String(specs[1]!.t + 5 * BAR_MS - 1);
    lines[1] = cells.join(',');
    const err = rejection(lines.join('\n'));
    expect(err.line).toBe(2);
    expect(err.problem).toMatch(/close_time .* not a 1-minute kline/);
  });
});

describe('parseBarCsv: malformed files are refused whole, naming the line', () => {
  // Line 1 is the header, data rows start on line 2; the bad row is placed on line 4.
  const good = minutes(5).map((t) => row({ t }));
  const withBadLine4 = (bad: string) => [HEADER, good[0], good[1], bad, good[3], good[4]].join('\n');

  it.each([
    ['a non-numeric price', row({ t: T0 + 2 * BAR_MS }).replace('101', 'abc'), /high is not a number: "abc"/],
    ['an empty field', `${T0 + 2 * BAR_MS},100,,99,100,1`, /high is not a number: ""/],
    ['an infinite value', `${T0 + 2 * BAR_MS},100,1e999,99,100,1`, /high is not finite/],
    ['high below low', row({ t: T0 + 2 * BAR_MS, h: 98, l: 99 }), /high 98 is below max\(open, close\) 100.5/],
    ['high below the close', row({ t: T0 + 2 * BAR_MS, h: 100.2 }), /high 100.2 is below max\(open, close\) 100.5/],
    ['low above the open', row({ t: T0 + 2 * BAR_MS, l: 100.1 }), /low 100.1 is above min\(open, close\) 100/],
    ['a negative volume', row({ t: T0 + 2 * BAR_MS, v: -1 }), /volume -1 is negative/],
    ['a non-positive price', row({ t: T0 + 2 * BAR_MS, o: 0, l: 0 }), /prices must be positive/],
    ['a duplicate open_time', row({ t: T0 + BAR_MS }), new RegExp(`duplicate open_time ${T0 + BAR_MS} \\(also on line 3\\)`)],
    ['an open_time going backwards', row({ t: T0 }), /earlier than line 3's/],
    ['an open_time not on a minute', row({ t: T0 + 2 * BAR_MS + 1_000 }), /not aligned to a minute/],
    ['an open_time in seconds', row({ t: (T0 + 2 * BAR_MS) / 1000 }), /10 digits: expected Unix milliseconds/],
    ['a fractional open_time', `${T0 + 2 * BAR_MS}.5,100,101,99,100,1`, /open_time is not an integer timestamp/],
    ['too many columns', `${row({ t: T0 + 2 * BAR_MS })},7`, /expected 6 columns \(ohlcv\), found 7/],
    [
      'too few columns',
      row({ t: T0 + 2 * BAR_MS })
        .split(',')
        .slice(0, 5)
        .join(','),
      /expected 6 columns \(ohlcv\), found 5/,
    ],
  ])('%s', (_name, bad, problem) => {
    const err = rejection(withBadLine4(bad));
    expect(err.line).toBe(4);
    expect(err.problem).toMatch(problem);
    expect(err.message).toBe(`bars.csv: line 4: ${err.problem}`);
  });

  it('counts blank lines when naming the line', () => {
    const err = rejection([HEADER, good[0], '', row({ t: T0 + BAR_MS, h: 1 })].join('\n'));
    expect(err.line).toBe(4);
  });

  it('refuses a headerless file whose first row has an unknown column count', () => {
    const err = rejection(`${row({ t: T0 })},1,2`);
    expect(err.line).toBe(1);
    expect(err.problem).toMatch(/expected 6 columns .* or 12 \(Binance kline\), found 8/);
  });

  it('refuses an unknown header', () => {
    const err = rejection(['time,o,h,l,c,v', good[0]].join('\n'));
    expect(err.line).toBe(1);
    expect(err.problem).toMatch(/unrecognised header "time,o,h,l,c,v"/);
  });

  it('refuses mixed millisecond and microsecond rows', () => {
    const lines = minutes(2).map((t) => klineRow({ t }));
    lines[1] = klineRow({ t: T0 + BAR_MS }, 1000);
    const err = rejection(lines.join('\n'));
    expect(err.line).toBe(2);
    expect(err.problem).toMatch(/is in us but line 1 is in ms/);
  });

  it('refuses a file without bars', () => {
    expect(rejection(`${HEADER}\n`).problem).toBe('the file holds no bars');
    expect(rejection('').problem).toBe('the file holds no bars');
  });
});
