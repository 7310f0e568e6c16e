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
import { cagr } from '../../../domain/trading/performance';
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

  test('sortino: downside deviation over all n returns, divided by n (empyrical), not n - 1', () => {
    // Downside deviation sqrt((0 + 0.1^2 + 0) / 3) = 0.0577350; (1/30) / 0.0577350 = 1/sqrt(3) = 0.5773503.
    expect(sortinoRatio(equityReturns(equity))).toBeCloseTo(ANNUAL / Math.sqrt(3), 8); // 418.56899
    expect(sortinoRatio(equityReturns(equity))).toBeCloseTo(418.56899, 4);
    // The sample version sqrt(0.1^2 / (3 - 1)) would give (1/30) / 0.0707107 x ANNUAL = 341.76, sqrt(2/3) of it.
    expect(sortinoRatio(equityReturns(equity))).not.toBeCloseTo(341.76014981, 0);
  });

  test('max drawdown 110 -> 99 is 10 %; a 3-minute gain compounded to a year overflows, so calmar is null', () => {
    expect(maxDrawdown(equity)).toBeCloseTo(0.1, 12);
    const m = performanceMetrics(equity, []);
    expect(m.net_pnl).toBeCloseTo(8.9, 10);
    expect(m.total_return).toBeCloseTo(0.089, 12);
    expect(cagr(equity)).toBe(Infinity); // 1.089^(525,600 / 3)
    expect(m.calmar).toBeNull();
  });
});

describe('calmar = CAGR / max drawdown, CAGR = (final / initial)^(525,600 / n) - 1', () => {
  /** `head`, then flat at its last value for a total of `n` returns. */
  function curve(head: readonly number[], n: number): number[] {
    return [...head, ...new Array<number>(n + 1 - head.length).fill(head[head.length - 1]!)];
  }

  test('half a year (262,800 minutes) that gains 10 % with a 10 % drawdown: CAGR 1.1^2 - 1 = 21 %, calmar 2.1', () => {
    const equity = curve([100, 110, 99, 110], MINUTES_PER_YEAR / 2); // peak 110, trough 99, ends at 110
    expect(equity).toHaveLength(262_801);
    expect(cagr(equity)).toBeCloseTo(0.21, 10);
    const m = performanceMetrics(equity, []);
    expect(m.max_drawdown).toBeCloseTo(0.1, 12);
    expect(m.calmar).toBeCloseTo(2.1, 8);
  });

  test('a full year that ends where it started: CAGR 0, calmar 0 (measurable, just nothing earned)', () => {
    const equity = curve([100, 120, 90, 100], MINUTES_PER_YEAR);
    expect(cagr(equity)).toBeCloseTo(0, 12);
    expect(performanceMetrics(equity, []).calmar).toBeCloseTo(0, 12);
  });

  test('a losing curve: 100 -> 110 -> 88 -> 99 in 3 minutes, CAGR -1, drawdown 20 %, calmar -5', () => {
    // 0.99^(525,600 / 3) = e^(175,200 x ln 0.99) = e^-1760.8: 0 in double precision, so the CAGR is -1.
    const equity = [100, 110, 88, 99];
    expect(cagr(equity)).toBe(-1);
    const m = performanceMetrics(equity, []);
    expect(m.max_drawdown).toBeCloseTo(0.2, 12); // 110 -> 88
    expect(m.calmar).toBeCloseTo(-5, 12);
  });

  test('a year losing 19 % with a 20 % drawdown: calmar -0.95; a curve that hits 0 has CAGR -1', () => {
    const equity = curve([100, 100, 80, 81], MINUTES_PER_YEAR); // 100 -> 81: CAGR -0.19
    expect(performanceMetrics(equity, []).calmar).toBeCloseTo(-0.19 / 0.2, 10);
    expect(cagr([100, 50, 0])).toBe(-1);
    expect(performanceMetrics([100, 50, -10], []).calmar).toBeCloseTo(-1 / 1.1, 12); // drawdown 110 %
  });

  test('null without a drawdown or without returns', () => {
    expect(performanceMetrics([100, 101, 102], []).calmar).toBeNull();
    expect(performanceMetrics([100, 100], []).calmar).toBeNull();
    expect(cagr([100])).toBeNull();
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
  test('no trades and a flat curve: every metric is 0 except calmar, null without a drawdown', () => {
    const { calmar, ...rest } = performanceMetrics([500, 500, 500], []);
    expect(calmar).toBeNull();
    expect(Object.values(rest).every((v) => v === 0)).toBe(true);
  });

  test('only winners, a curve that never falls: ratios with a 0 denominator are 0', () => {
    const m = performanceMetrics([100, 101, 102, 104], [trade(4, 0, 2)]);
    expect(m.profit_factor).toBe(0);
    expect(m.sortino).toBe(0);
    expect(m.calmar).toBeNull(); // JSON null, not NaN
    expect(m.max_drawdown).toBe(0);
    expect(m.sharpe).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  test('a single equity point (no bars)', () => {
    expect(performanceMetrics([100], [])).toMatchObject({ net_pnl: 0, sharpe: 0, sortino: 0, exposure: 0, calmar: null });
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
