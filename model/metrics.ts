/** Model-quality metrics on the validation part (docs/features.md "Validation metrics"). */

export type Numbers = Float64Array | readonly number[];

export interface ValidationMetrics {
  readonly rmse: number;
  /** Share of rows with a non-zero target whose prediction has the target's sign. */
  readonly directionalAccuracy: number;
  /** Information coefficient: Spearman rank correlation of prediction and target. */
  readonly ic: number;
  readonly n: number;
}

function checkPairs(name: string, pred: Numbers, target: Numbers): void {
  if (pred.length !== target.length) {
    throw new Error(`${name}: ${pred.length} predictions but ${target.length} targets`);
  }
  if (pred.length === 0) throw new Error(`${name}: no rows`);
  for (let i = 0; i < pred.length; i++) {
    if (!Number.isFinite(pred[i]) || !Number.isFinite(target[i])) {
      throw new Error(`${name}: row ${i} is not finite (prediction ${pred[i]}, target ${target[i]})`);
    }
  }
}

export function rmse(pred: Numbers, target: Numbers): number {
  checkPairs('rmse', pred, target);
  let ss = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i]! - target[i]!;
    ss += d * d;
  }
  return Math.sqrt(ss / pred.length);
}

/**
 * Share of rows with a non-zero target whose prediction has the same sign (a zero prediction counts as wrong).
 * 0 when every target is zero: there is no evidence of skill.
 */
export function directionalAccuracy(pred: Numbers, target: Numbers): number {
  checkPairs('directionalAccuracy', pred, target);
  let counted = 0;
  let hits = 0;
  for (let i = 0; i < pred.length; i++) {
    const y = target[i]!;
    if (y === 0) continue;
    counted++;
    const p = pred[i]!;
    if ((y > 0 && p > 0) || (y < 0 && p < 0)) hits++;
  }
  return counted === 0 ? 0 : hits / counted;
}

/** 1-based ranks, tied values sharing the average of their ranks. */
function averageRanks(xs: Numbers): Float64Array {
  const n = xs.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && xs[order[j + 1]!] === xs[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

function pearson(xs: Float64Array, ys: Float64Array): number {
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  const r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** Spearman rank correlation (Pearson of average ranks); 0 when either side is constant. */
export function spearman(a: Numbers, b: Numbers): number {
  checkPairs('spearman', a, b);
  return pearson(averageRanks(a), averageRanks(b));
}

export function validationMetrics(pred: Numbers, target: Numbers): ValidationMetrics {
  return {
    rmse: rmse(pred, target),
    directionalAccuracy: directionalAccuracy(pred, target),
    ic: spearman(pred, target),
    n: pred.length,
  };
}
