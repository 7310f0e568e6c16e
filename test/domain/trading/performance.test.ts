import {
  MINUTES_PER_YEAR,
  equityReturns,
  maxDrawdown,
  performanceMetrics,
  rollingSharpe,
  sharpeRatio,
  sortinoRatio,
  type TradeOutcome,
} from '../../../domain/trading';
import { MIN, T0 } from './fixtures';

const ANNUAL = Math.sqrt(MINUTES_PER_YEAR); // 724.98275841567...

/** A trade held `minutes` from T0 + start minutes. */
function trade(netPnl: number, start: number, minutes: number, fees = 1): TradeOutcome {
  return { netPnl, fees, entryTime: T0 + start * MIN, exitTime: T0 + (start + minutes) * MIN };
}

describe('equity-curve metrics on 100 -> 110 -> 99 -> 108.9 (returns +10 %, -10 %, +10 %)', () => {
  const equity = [100, 110, 99, 108.9];

  test('returns', () => {
    const r = equityReturns(equity);
    expect(r).toHaveLength(3);
    [0.1, -0.1, 0.1].forEach((x, i) => expect(r[i]).toBeCloseTo(x, 12));
  });

  test('sharpe: mean 1/30 over sample std sqrt(0.04/3), annualised', () => {
    expect(sharpeRatio(equityReturns(equity))).toBeCloseTo(0.28867513 * ANNUAL, 4); // 209.2845
    expect(sharpeRatio(equityReturns(equity))).toBeCloseTo(209.28449536, 5);
  });

  test('sortino: downside deviation sqrt(0.1^2 / (3 - 1))', () => {
    expect(sortinoRatio(equityReturns(equity))).toBeCloseTo(341.76014981, 5);
  });

  test('max drawdown 110 -> 99 is 10 %, and calmar uses the simple annualised return', () => {
    expect(maxDrawdown(equity)).toBeCloseTo(0.1, 12);
    const m = performanceMetrics(equity, []);
    expect(m.net_pnl).toBeCloseTo(8.9, 10);
    expect(m.total_return).toBeCloseTo(0.089, 12);
    expect(m.calmar).toBeCloseTo((0.089 * MINUTES_PER_YEAR) / 3 / 0.1, 4); // 155,928
  });
});

test('maxDrawdown takes the deepest fall from any running peak', () => {
  expect(maxDrawdown([100, 120, 90, 130, 104, 140])).toBeCloseTo(0.25, 12); // 120 -> 90
  expect(maxDrawdown([100, 101, 102])).toBe(0);
});

describe('trade metrics', () => {
  // Ten bars; the trades hold 2 + 0 + 1 + 1 + 1 = 5 minutes.
  const equity = [1000, 1000, 1010, 1010, 1006, 1006, 1012, 1012, 1012, 1010, 1010];
  const trades = [trade(10, 0, 2), trade(-4, 2, 0), trade(6, 3, 1), trade(0, 5, 1), trade(-2, 7, 1)];
  const m = performanceMetrics(equity, trades);

  test.each([
    ['net_pnl', 10],
    ['total_return', 0.01],
    ['trades', 5],
    ['win_rate', 0.4], // 10 and 6; a zero PnL is no win
    ['avg_win', 8],
    ['avg_loss', -3], // -4 and -2; the zero PnL is no loss either
    ['profit_factor', 16 / 6],
    ['expectancy', 2],
    ['fees', 5],
    ['exposure', 0.5],
    ['avg_holding_minutes', 1],
  ] as const)('%s = %p', (key, expected) => {
    expect(m[key]).toBeCloseTo(expected, 12);
  });
});

describe('finite fallbacks (no NaN or Infinity in summary.json)', () => {
  test('no trades and a flat curve: every metric is 0', () => {
    const m = performanceMetrics([500, 500, 500], []);
    expect(Object.values(m).every((v) => v === 0)).toBe(true);
  });

  test('only winners, a curve that never falls: ratios with a 0 denominator are 0', () => {
    const m = performanceMetrics([100, 101, 102, 104], [trade(4, 0, 2)]);
    expect(m.profit_factor).toBe(0);
    expect(m.sortino).toBe(0);
    expect(m.calmar).toBe(0);
    expect(m.max_drawdown).toBe(0);
    expect(m.sharpe).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  test('a single equity point (no bars)', () => {
    expect(performanceMetrics([100], [])).toMatchObject({ net_pnl: 0, sharpe: 0, exposure: 0, calmar: 0 });
  });

  test('refuses an empty or non-finite curve', () => {
    expect(() => performanceMetrics([], [])).toThrow(/empty/);
    expect(() => performanceMetrics([100, Number.NaN], [])).toThrow(/point 1 is not finite/);
  });
});

describe('rollingSharpe', () => {
  test('one value per full window', () => {
    const r = rollingSharpe([0.1, -0.1, 0.1, 0.3], 3);
    expect(r).toHaveLength(2);
    expect(r[0]).toBeCloseTo(209.28449536, 5);
    expect(r[1]).toBeCloseTo(0.5 * ANNUAL, 8); // mean 0.1, std 0.2
  });

  test('fewer returns than the window give nothing; a window below 2 is refused', () => {
    expect(rollingSharpe([0.1, 0.2], 3)).toEqual([]);
    expect(() => rollingSharpe([0.1, 0.2], 1)).toThrow(/window must be an integer >= 2/);
  });
});
