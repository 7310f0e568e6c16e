/** Small hand-made inputs shared by the report tests. */
import type { EquityPoint, ReportInput, TradeRow } from '../../reports/types';

export const T0 = Date.UTC(2023, 2, 3, 0, 0); // 2023-03-03 00:00 UTC
const MIN = 60_000;

export const trades: TradeRow[] = [
  {
    side: 'LONG',
    entryTime: T0 + 5 * MIN,
    entryPrice: 0.1 + 0.2, // 0.30000000000000004: the shortest round-trip text has 17 digits
    exitTime: T0 + 20 * MIN,
    exitPrice: 22_456.78901234568,
    qty: 1e-7,
    fees: 1.2345678901234568e-5,
    funding: -0.25,
    netPnl: 12.5,
    exitReason: 'take_profit',
    modelVersion: 'm-2023-03-03T00:00Z',
  },
  {
    side: 'SHORT',
    entryTime: T0 + 30 * MIN,
    entryPrice: 123_456_789.12345679,
    exitTime: T0 + 31 * MIN,
    exitPrice: 1e20,
    qty: 3,
    fees: 0,
    funding: 1.5e-9,
    netPnl: -7.000000000000001,
    exitReason: 'stop_loss',
    modelVersion: 'v1,"beta"', // comma and quotes: must be quoted and doubled
  },
];

export function equityCurve(minutes: number, value: (k: number) => number): EquityPoint[] {
  return Array.from({ length: minutes + 1 }, (_, k) => ({ openTime: T0 + k * MIN, equity: value(k) }));
}

export const metrics: Record<string, number> = {
  net_pnl: 5.5,
  total_return: 0.00055,
  trades: 2,
  win_rate: 0.5,
  avg_win: 12.5,
  avg_loss: -7,
  profit_factor: 1.7857142857142858,
  expectancy: 2.75,
  fees: 0.000012345678901234567,
  funding: -0.2499999985,
  sharpe: 1.234,
  sortino: 2.5,
  max_drawdown: 0.0123,
  calmar: 0.0447,
  exposure: 0.25,
  avg_holding_minutes: 8,
};

export function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    title: 'Backtest BTCUSDT',
    runId: 'run-1',
    symbol: 'BTCUSDT',
    dataRange: { from: T0 - 48 * 60 * MIN, to: T0 + 60 * MIN },
    testRange: { from: T0, to: T0 + 60 * MIN },
    metrics,
    equity: equityCurve(60, (k) => 10_000 + 10 * Math.sin(k / 5)),
    trades: [
      { ...trades[0]!, entryPrice: 22_400, exitPrice: 22_450 },
      { ...trades[1]!, entryPrice: 22_500, exitPrice: 22_600, modelVersion: 'v2' },
    ],
    models: [
      { version: 'v1', trainedAt: T0, metrics: { rmse: 0.000812345, directional_accuracy: 0.5234, ic: 0.031 } },
      { version: 'v2', trainedAt: T0 + 60 * MIN, metrics: { rmse: 0.0009, directional_accuracy: 0.51 } },
    ],
    ...overrides,
  };
}
