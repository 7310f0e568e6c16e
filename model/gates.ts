/**
 * Validation gates of a retrained model: the checks a candidate must pass on its own validation split before it
 * may shadow the champion. A failing candidate is rejected without ever touching the bot.
 *
 * - rmse_vs_baseline: validation RMSE / RMSE of always predicting 0 must be <= maxRmseVsBaseline
 *   (1.0 = no worse than the zero baseline; 1.01 tolerates 1 %: with 1-minute returns a useful model sits close to it).
 * - directional_accuracy: validation directional accuracy must be >= minDirectionalAccuracy.
 * - validation_sharpe: Sharpe of the trading rules on the validation bars must be >= minValidationSharpe
 *   (null disables the check: a model that never crosses the entry threshold has Sharpe 0).
 */

export interface ValidationGates {
  readonly maxRmseVsBaseline: number;
  readonly minDirectionalAccuracy: number;
  readonly minValidationSharpe: number | null;
}

/** The validation figures the gates look at (a subset of the training activity's ModelValidation). */
export interface GatedValidation {
  readonly rmse: number;
  readonly baselineRmse: number;
  readonly directionalAccuracy: number;
  readonly sharpe: number;
}

export type GateName = 'rmse_vs_baseline' | 'directional_accuracy' | 'validation_sharpe';

export interface GateCheck {
  readonly gate: GateName;
  /** The measured value; null when it cannot be computed (a zero baseline RMSE). */
  readonly value: number | null;
  readonly limit: number;
  readonly passed: boolean;
}

export interface GateReport {
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
  /** One readable sentence per failed check, e.g. "directional accuracy 0.4812 < 0.5". */
  readonly failures: readonly string[];
}

const fmt = (x: number | null) => (x === null ? 'n/a' : Number(x.toPrecision(4)).toString());

export function checkValidationGates(v: GatedValidation, gates: ValidationGates): GateReport {
  const checks: GateCheck[] = [
    {
      gate: 'rmse_vs_baseline',
      value: v.baselineRmse > 0 ? v.rmse / v.baselineRmse : null,
      limit: gates.maxRmseVsBaseline,
      // Written as a product so that a zero baseline passes only a perfect model (no division by zero).
      passed: v.rmse <= v.baselineRmse * gates.maxRmseVsBaseline,
    },
    {
      gate: 'directional_accuracy',
      value: v.directionalAccuracy,
      limit: gates.minDirectionalAccuracy,
      passed: v.directionalAccuracy >= gates.minDirectionalAccuracy,
    },
  ];
  if (gates.minValidationSharpe !== null) {
    checks.push({ gate: 'validation_sharpe', value: v.sharpe, limit: gates.minValidationSharpe, passed: v.sharpe >= gates.minValidationSharpe });
  }
  const failures = checks
    .filter((c) => !c.passed)
    .map((c) =>
      c.gate === 'rmse_vs_baseline'
        ? `RMSE / zero-baseline RMSE ${fmt(c.value)} > ${fmt(c.limit)} (RMSE ${fmt(v.rmse)}, baseline ${fmt(v.baselineRmse)})`
        : c.gate === 'directional_accuracy'
          ? `directional accuracy ${fmt(c.value)} < ${fmt(c.limit)}`
          : `validation Sharpe ${fmt(c.value)} < ${fmt(c.limit)}`,
    );
  return { passed: failures.length === 0, checks, failures };
}
