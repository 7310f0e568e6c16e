import { FundingCsvError, parseFundingCsv } from '../../domain/funding-csv';

const F = Date.UTC(2023, 2, 3, 8); // 2023-03-03 08:00 UTC
const H8 = 8 * 3_600_000;

describe('funding files: funding_time,funding_rate[,mark_price]', () => {
  test('reads rates with and without mark prices; times are floored to the minute', () => {
    const text = `funding_time,funding_rate,mark_price\n${F + 3},0.0001,22350.5\n${F + H8},-0.00005,\n`;
    expect(parseFundingCsv(text)).toEqual([
      { time: F, rate: 0.0001, markPrice: 22350.5 },
      { time: F + H8, rate: -0.00005, markPrice: null },
    ]);
  });

  test('the mark price column is optional; CRLF, a BOM and blank lines are fine', () => {
    expect(parseFundingCsv(`\uFEFFfunding_time,funding_rate\r\n${F},0.0001\r\n\r\n`)).toEqual([{ time: F, rate: 0.0001, markPrice: null }]);
  });

  test.each([
    ['no header', `${F},0.0001\n`, /line 1: unrecognised header "\d+,0.0001"/],
    ['an empty file', '', /line 1: empty file/],
    ['only the header', 'funding_time,funding_rate\n', /the file holds no funding rates/],
    [
      'a time in seconds',
      `funding_time,funding_rate\n${F / 1000},0.0001\n`,
      /line 2: funding_time is not Unix milliseconds \(13 digits\) \(got "1677830400"\)/,
    ],
    ['a rate that is not a number', `funding_time,funding_rate\n${F},abc\n`, /line 2: funding_rate is not a decimal number \(got "abc"\)/],
    ['a rate in percent', `funding_time,funding_rate\n${F},1\n`, /line 2: funding_rate is above 0.1: rates are fractions/],
    ['a zero mark price', `funding_time,funding_rate,mark_price\n${F},0.0001,0\n`, /line 2: mark_price must be greater than 0 \(got "0"\)/],
    ['a missing field', `funding_time,funding_rate,mark_price\n${F},0.0001\n`, /line 2: expected 3 fields \(funding_time,funding_rate,mark_price\), found 2/],
    ['times out of order', `funding_time,funding_rate\n${F + H8},0.0001\n${F},0.0001\n`, /line 3: funding_time \d+ is earlier than line 2's/],
    ['two rates in one minute', `funding_time,funding_rate\n${F},0.0001\n${F + 5},0.0001\n`, /line 3: funding_time \d+ falls in the same minute as line 2's/],
  ])('refuses %s, naming the line and the problem', (_name, text, message) => {
    expect(() => parseFundingCsv(text, { source: 'x.funding.csv' })).toThrow(FundingCsvError);
    expect(() => parseFundingCsv(text, { source: 'x.funding.csv' })).toThrow(message);
  });
});
