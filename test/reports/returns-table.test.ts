import { pnlBy } from '../../reports/pnl-breakdown';
import { joinReturns, periodReturns } from '../../reports/returns-table';
import { T0, trades } from './fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const point = (t: number, equity: number) => ({ openTime: t, equity });

describe('period returns', () => {
  // T0 is 2023-03-03 00:00 UTC; a point at midnight is the close of the day before.
  const curve = [point(T0, 100), point(T0 + HOUR, 105), point(T0 + DAY, 110), point(T0 + DAY + HOUR, 99), point(T0 + 29 * DAY, 121)];

  it('chains each UTC day from the previous day close, starting from the capital', () => {
    expect(periodReturns(curve, 'day').map((r) => [r.period, r.startEquity, r.endEquity])).toEqual([
      ['2023-03-03', 100, 110],
      ['2023-03-04', 110, 99],
      ['2023-03-31', 99, 121],
    ]);
    expect(periodReturns(curve, 'day')[1]!.return).toBeCloseTo(99 / 110 - 1, 12);
  });

  it('groups months the same way', () => {
    expect(periodReturns(curve, 'month').map((r) => [r.period, r.return])).toEqual([['2023-03', 121 / 100 - 1]]);
    expect(periodReturns([point(T0, 100), point(Date.UTC(2023, 3, 1), 90), point(Date.UTC(2023, 3, 1) + HOUR, 99)], 'month').map((r) => r.period)).toEqual([
      '2023-03',
      '2023-04',
    ]);
  });

  it('is empty without a second point, and joins two curves by period', () => {
    expect(periodReturns([point(T0, 100)], 'day')).toEqual([]);
    const a = periodReturns(curve, 'day');
    expect(joinReturns(a, a.slice(1)).map((r) => r.b === null)).toEqual([true, false, false]);
  });
});

describe('PnL breakdown', () => {
  it('groups by exit reason and side with counts, wins and sums, largest PnL first', () => {
    const rows = [...trades, { ...trades[0]!, netPnl: -1, fees: 2 }];
    expect(pnlBy(rows, (t) => t.exitReason)).toEqual([
      { key: 'take_profit', trades: 2, wins: 1, netPnl: 11.5, fees: trades[0]!.fees + 2, average: 5.75 },
      { key: 'stop_loss', trades: 1, wins: 0, netPnl: trades[1]!.netPnl, fees: 0, average: trades[1]!.netPnl },
    ]);
    expect(pnlBy(rows, (t) => t.side).map((g) => [g.key, g.trades])).toEqual([
      ['LONG', 2],
      ['SHORT', 1],
    ]);
  });
});
