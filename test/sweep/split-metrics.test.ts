import { performanceMetrics } from '../../domain/trading';
import { splitMetrics, splitTime } from '../../domain/sweep/split-metrics';
import { downsample, rankResults, type ComboResult } from '../../domain/sweep/ranking';

const MIN = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN);

test('splitTime: the in-sample share of whole minutes; degenerate splits refused', () => {
  expect(splitTime(T0, T0 + 100 * MIN, 0.3)).toBe(T0 + 70 * MIN);
  expect(() => splitTime(T0, T0 + 2 * MIN, 0.9)).toThrow(/cannot be split/);
  expect(() => splitTime(T0, T0 + 100 * MIN, 1)).toThrow(/holdout/);
});

test('in-sample from equity up to the split, held-out from the split on; trades by the part that holds them', () => {
  // Equity moves only after the split in the second half; a change before the split must not reach held-out.
  const values = [100, 101, 99, 102, 102, 103, 101, 104];
  const equity = values.map((equity, i) => ({ openTime: T0 + i * MIN, equity }));
  const split = T0 + 3 * MIN;
  const trades = [
    { entryTime: T0, exitTime: T0 + 2 * MIN, netPnl: -1, fees: 0.1 },
    { entryTime: T0 + 2 * MIN, exitTime: T0 + 4 * MIN, netPnl: 3, fees: 0.1 },
    { entryTime: T0 + 3 * MIN, exitTime: T0 + 6 * MIN, netPnl: 2, fees: 0.1 },
  ];
  const m = splitMetrics(equity, trades, split);
  expect(m.whole).toEqual(performanceMetrics(values, trades));
  expect(m.inSample).toEqual(performanceMetrics([100, 101, 99, 102], [trades[0]!]));
  expect(m.heldOut).toEqual(performanceMetrics([102, 102, 103, 101, 104], [trades[2]!]));
  expect(m.heldOut.net_pnl).toBe(2);
  expect(m.inSample.net_pnl + m.heldOut.net_pnl).toBe(m.whole.net_pnl);
});

test('ranking on the in-sample metric only, null Calmar last; downsampling keeps both ends', () => {
  const metrics = (sharpe: number, calmar: number | null) => ({ ...performanceMetrics([1, 1.1, 1.05], []), sharpe, calmar });
  const result = (index: number, is: number, oos: number, calmar: number | null = 1): ComboResult => ({
    index,
    group: 0,
    values: { k: index },
    whole: metrics(0, calmar),
    inSample: metrics(is, calmar),
    heldOut: metrics(oos, calmar),
    curve: [],
  });
  const ranked = rankResults([result(0, 1, 9), result(1, 3, -1), result(2, 2, 0)], 'sharpe');
  expect(ranked.map((r) => r.index)).toEqual([1, 2, 0]);
  expect(rankResults([result(0, 1, 1, null), result(1, 1, 1, 0.5)], 'calmar').map((r) => r.index)).toEqual([1, 0]);
  const d = downsample([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 4);
  expect(d).toHaveLength(4);
  expect(d[0]).toEqual([1, 10]);
  expect(d[3]).toEqual([10, 100]);
});
