import { formatTimeTick, linearScale, niceTicks, timeTicks } from '../../reports/chart-scale';

describe('chart scales', () => {
  it('picks 1-2-5 steps that enclose the data, with exact labels', () => {
    const ticks = niceTicks(0.1, 0.7, 6); // 3 x 0.1 would print as 0.30000000000000004
    expect(ticks.values).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(ticks.decimals).toBe(1);
    expect(niceTicks(9_990.2, 10_009.8, 5)).toMatchObject({ lo: 9_990, hi: 10_010, decimals: 0 });
  });

  it('widens a flat range instead of dividing by zero', () => {
    const ticks = niceTicks(10_000, 10_000, 5);
    expect(ticks.lo).toBeLessThan(10_000);
    expect(ticks.hi).toBeGreaterThan(10_000);
    expect(niceTicks(0, 0, 5).values.every(Number.isFinite)).toBe(true);
    expect(linearScale(5, 5, 0, 100)(5)).toBe(50);
  });

  it('places time ticks on UTC boundaries, at most the requested count', () => {
    const from = Date.UTC(2023, 2, 3, 0, 7);
    const { step, values } = timeTicks(from, from + 3 * 3_600_000, 8);
    expect(step).toBe(30 * 60_000);
    expect(values.length).toBeLessThanOrEqual(8);
    expect(formatTimeTick(values[0]!, step)).toBe('03-03 00:30');
    const days = timeTicks(from, from + 21 * 86_400_000, 8);
    expect(formatTimeTick(days.values[0]!, days.step)).toMatch(/^2023-03-\d\d$/);
    expect(days.values.every((t) => t % 86_400_000 === 0)).toBe(true);
  });
});
