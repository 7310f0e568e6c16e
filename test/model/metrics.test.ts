import { directionalAccuracy, rmse, spearman, validationMetrics } from '../../model/metrics';

describe('rmse', () => {
  it('is the root of the mean squared error', () => {
    expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 15);
    expect(rmse(new Float64Array([0.5, -0.5]), new Float64Array([0.5, -0.5]))).toBe(0);
  });

  it('rejects mismatched lengths, no rows and non-finite values', () => {
    expect(() => rmse([1, 2], [1])).toThrow(/2 predictions but 1 targets/);
    expect(() => rmse([], [])).toThrow(/no rows/);
    expect(() => rmse([1, NaN], [1, 2])).toThrow(/row 1 is not finite/);
  });
});

describe('directionalAccuracy', () => {
  it('counts only non-zero targets, and a zero prediction as a miss', () => {
    // Targets 2, -3, -1, 1 count (the 0 does not); hits: 1 (+,+), -1 (-,-); misses: 0.5 vs -1, 0 vs 1.
    expect(directionalAccuracy([1, -1, 0.5, 0, 2], [2, -3, -1, 1, 0])).toBe(0.5);
    expect(directionalAccuracy([1, 1], [-1, -2])).toBe(0);
  });

  it('is 0 when every target is zero', () => {
    expect(directionalAccuracy([1, -1], [0, 0])).toBe(0);
  });
});

describe('spearman', () => {
  it('is 1 for any increasing relation and -1 for a decreasing one', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 1000])).toBeCloseTo(1, 15);
    expect(spearman([1, 2, 3, 4], [4, 3, 2.5, -7])).toBeCloseTo(-1, 15);
  });

  it('gives tied values their average rank', () => {
    // Ranks of x: 1, 2.5, 2.5, 4; of y: 1, 3, 2, 4. Centred: (-1.5, 0, 0, 1.5) and (-1.5, 0.5, -0.5, 1.5).
    // sum(dx*dy) = 4.5, sum(dx^2) = 4.5, sum(dy^2) = 5.
    expect(spearman([1, 2, 2, 3], [10, 30, 20, 40])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 14);
    // Order of the tied rows does not matter.
    expect(spearman([2, 1, 3, 2], [20, 10, 40, 30])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 14);
  });

  it('is 0 when either side is constant', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(spearman(new Float64Array([3, 1, 2]), new Float64Array([7, 7, 7]))).toBe(0);
  });
});

describe('validationMetrics', () => {
  it('bundles rmse, directional accuracy, IC and the row count', () => {
    const pred = [0.01, -0.02, 0.005, 0.03];
    const target = [0.02, -0.01, -0.01, 0.04];
    expect(validationMetrics(pred, target)).toEqual({
      rmse: rmse(pred, target),
      directionalAccuracy: 0.75,
      ic: spearman(pred, target),
      n: 4,
    });
    // Ranks: pred (3, 1, 2, 4), target (3, 1.5, 1.5, 4) -> centred dot 4.5 over sqrt(5 * 4.5).
    expect(validationMetrics(pred, [0.02, -0.01, -0.01, 0.04]).ic).toBeCloseTo(4.5 / Math.sqrt(22.5), 14);
  });
});
