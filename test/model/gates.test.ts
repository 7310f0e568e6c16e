import { checkValidationGates } from '../../model/gates';

const gates = { maxRmseVsBaseline: 1.01, minDirectionalAccuracy: 0.5, minValidationSharpe: null };
const good = { rmse: 0.00142, baselineRmse: 0.00141, directionalAccuracy: 0.53, sharpe: -0.4 };

describe('checkValidationGates', () => {
  it('passes a model within 1 % of the zero baseline that calls the direction at least half the time', () => {
    const report = checkValidationGates(good, gates);
    expect(report.passed).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.checks.map((c) => c.gate)).toEqual(['rmse_vs_baseline', 'directional_accuracy']);
    expect(report.checks[0]!.value).toBeCloseTo(0.00142 / 0.00141, 12);
  });

  it('names every failed gate with its value and limit', () => {
    const report = checkValidationGates({ ...good, rmse: 0.0015, directionalAccuracy: 0.48 }, gates);
    expect(report.passed).toBe(false);
    expect(report.failures).toEqual(['RMSE / zero-baseline RMSE 1.064 > 1.01 (RMSE 0.0015, baseline 0.00141)', 'directional accuracy 0.48 < 0.5']);
  });

  it('checks the validation Sharpe only when a minimum is configured', () => {
    const withSharpe = { ...gates, minValidationSharpe: 0 };
    const report = checkValidationGates(good, withSharpe);
    expect(report.passed).toBe(false);
    expect(report.failures).toEqual(['validation Sharpe -0.4 < 0']);
    expect(checkValidationGates({ ...good, sharpe: 0 }, withSharpe).passed).toBe(true);
  });

  it('lets only a perfect model through when the baseline RMSE is zero', () => {
    const zero = { ...good, baselineRmse: 0 };
    expect(checkValidationGates({ ...zero, rmse: 0.0001 }, gates).checks[0]).toEqual({ gate: 'rmse_vs_baseline', value: null, limit: 1.01, passed: false });
    expect(checkValidationGates({ ...zero, rmse: 0 }, gates).checks[0]!.passed).toBe(true);
  });
});
