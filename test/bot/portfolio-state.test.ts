import type { MinuteReport, PortfolioInput } from '../../contracts/portfolio';
import { initialPortfolioRun, missingReports, nextMinute, portfolioStatus, reportReceived, serveMinute } from '../../workflows/portfolio-state';

const T = Date.UTC(2023, 2, 4);
const input: PortfolioInput = {
  mode: 'paper',
  symbols: ['AAAUSDT', 'BBBUSDT'],
  rules: { weights: { AAAUSDT: 1, BBBUSDT: 1 }, maxPositions: 1, maxGrossExposure: null, maxDailyDrawdown: 0.03 },
  startingEquity: { AAAUSDT: 5_000, BBBUSDT: 5_000 },
  collectMs: 1_000,
  minutesPerRun: 100,
};
const report = (symbol: string, openTime: number, equity: number, prediction: number | null): MinuteReport => ({
  symbol,
  openTime,
  book: { symbol, equity, notional: 0 },
  request: prediction === null ? null : { symbol, side: 'LONG', prediction, notional: equity },
});

test('a minute is served once every bot reported: the larger |prediction| enters, the other is refused with the reason', () => {
  let run = initialPortfolioRun(input);
  run = reportReceived(input, run, report('BBBUSDT', T, 5_000, 0.001)).run;
  expect(missingReports(input, run, T)).toEqual(['AAAUSDT']);
  run = reportReceived(input, run, report('AAAUSDT', T, 5_000, 0.002)).run;
  // A repeated report (a retried signal) changes nothing.
  expect(reportReceived(input, run, report('AAAUSDT', T, 5_000, 0.002)).run).toBe(run);
  expect(nextMinute(run)).toBe(T);
  const served = serveMinute(input, run, T);
  expect(served.verdicts).toEqual([
    { symbol: 'AAAUSDT', verdict: { openTime: T, refusal: null, transfer: 0, halt: false } },
    { symbol: 'BBBUSDT', verdict: { openTime: T, refusal: 'max_positions', transfer: 0, halt: false } },
  ]);
  expect(portfolioStatus(input, served.run)).toMatchObject({ refusalCounts: { max_positions: 1 }, lastServed: T, minutesServed: 1 });
});

test('a bot that missed a day start is owed its transfer; a late report is refused as portfolio_unavailable and paid what it is owed', () => {
  let run = initialPortfolioRun(input);
  // Day 1 opens balanced; by day 2 A has earned 1,000, and B does not report.
  run = reportReceived(input, reportReceived(input, run, report('AAAUSDT', T, 5_000, null)).run, report('BBBUSDT', T, 5_000, null)).run;
  run = serveMinute(input, run, T).run;
  const nextDay = T + 86_400_000;
  run = reportReceived(input, run, report('AAAUSDT', nextDay, 6_000, null)).run;
  const served = serveMinute(input, run, nextDay);
  // Rebalanced to 5,500 each: A gives 500, B is owed 500 until it reports.
  expect(served.verdicts).toEqual([{ symbol: 'AAAUSDT', verdict: { openTime: nextDay, refusal: null, transfer: -500, halt: false } }]);
  expect(served.run.owed).toEqual({ BBBUSDT: { transfer: 500, halt: false } });
  const late = reportReceived(input, served.run, report('BBBUSDT', nextDay, 5_000, 0.003));
  expect(late.immediate).toEqual({ symbol: 'BBBUSDT', verdict: { openTime: nextDay, refusal: 'portfolio_unavailable', transfer: 500, halt: false } });
  expect(late.run.owed).toEqual({});
});
