import { FEATURE_NAMES, N_FEATURES } from '../../model/features';
import { PSI_EPSILON, featureReference, featureReferenceSchema, maxPsi, psi, psiAll } from '../../model/psi';

/** Deterministic standard normal draws (Box-Muller over an LCG). */
function normals(seed: number, n: number): Float64Array {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 1) / (2 ** 32 + 1);
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

describe('featureReference', () => {
  it('cuts each column at its deciles and records the share of rows per bin', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    const ref = featureReference(values, 1, ['x']);
    // numpy-style deciles of 1..100: 1 + 99 * k / 10.
    expect(ref.features[0]!.cuts).toEqual([10.9, 20.8, 30.7, 40.6, 50.5, 60.4, 70.3, 80.2, 90.1].map((c) => expect.closeTo(c, 10)));
    expect(ref.features[0]!.expected).toEqual(Array(10).fill(0.1));
    expect(ref.nRows).toBe(100);
  });

  it('merges duplicate cut points from tied values and measures the real shares', () => {
    // 70 % zeros (like vol_ratio in a thin market), then 30 distinct positives.
    const values = Float64Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : i));
    const bins = featureReference(values, 1, ['v']).features[0]!;
    expect(bins.cuts[0]).toBe(0);
    expect(bins.cuts.filter((c) => c === 0)).toHaveLength(1);
    // Deciles 10..60 % are all 0; 70 % interpolates between the last zero and 70 (h = 69.3 -> 21); then 80 %, 90 %.
    expect(bins.cuts).toHaveLength(4);
    expect(bins.cuts[1]).toBeCloseTo(21, 9);
    expect(bins.expected[0]).toBeCloseTo(0.7, 12); // the bin (-inf, 0] holds all the zeros
    expect(bins.expected.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(psi(bins, values)).toBe(0);

    const constant = featureReference(new Float64Array(50).fill(3), 1, ['c']).features[0]!;
    expect(constant.cuts).toEqual([3]);
    expect(constant.expected).toEqual([1, 0]);
    expect(psi(constant, [3, 3])).toBe(0);
    expect(psi(constant, [4, 4])).toBeGreaterThan(1);
  });

  it('names the 19 feature columns by default and survives a JSON round trip', () => {
    const matrix = normals(1, 200 * N_FEATURES);
    const ref = featureReference(matrix, N_FEATURES);
    expect(ref.features.map((f) => f.feature)).toEqual([...FEATURE_NAMES]);
    const stored = featureReferenceSchema.parse(JSON.parse(JSON.stringify(ref)));
    expect(stored).toEqual(ref);
  });

  it('rejects bad shapes, non-finite values and a corrupted stored reference', () => {
    expect(() => featureReference(new Float64Array(5), 2)).toThrow(/not a whole number of rows of 2/);
    expect(() => featureReference(new Float64Array([1, NaN]), 1, ['x'])).toThrow(/feature x of row 1 is not finite/);
    const ref = featureReference(normals(2, 100), 1, ['x']);
    const corrupted = { ...ref, features: [{ ...ref.features[0]!, expected: [0.5] }] };
    expect(featureReferenceSchema.safeParse(corrupted).success).toBe(false);
  });
});

describe('psi', () => {
  const reference = featureReference(normals(3, 20_000), 1, ['x']).features[0]!;

  it('is about 0 for a fresh sample of the same distribution', () => {
    expect(psi(reference, normals(4, 5_000))).toBeLessThan(0.02);
  });

  it('exceeds 0.25 for a clearly shifted or rescaled distribution', () => {
    expect(
      psi(
        reference,
        normals(5, 5_000).map((x) => x + 1),
      ),
    ).toBeGreaterThan(0.25);
    expect(
      psi(
        reference,
        normals(6, 5_000).map((x) => x * 3),
      ),
    ).toBeGreaterThan(0.25);
  });

  it('stays finite when the sample leaves bins empty (shares floored at PSI_EPSILON)', () => {
    const value = psi(reference, [100, 101, 102]);
    expect(Number.isFinite(value)).toBe(true);
    // All mass in the top bin (expected 0.1), every other bin floored: a closed form.
    const expectedValue = (1 - 0.1) * Math.log(1 / 0.1) + 9 * (PSI_EPSILON - 0.1) * Math.log(PSI_EPSILON / 0.1);
    expect(value).toBeCloseTo(expectedValue, 2);
  });

  it('rejects an empty or non-finite sample', () => {
    expect(() => psi(reference, [])).toThrow(/empty sample/);
    expect(() => psi(reference, [1, Infinity])).toThrow(/sample value 1 is not finite/);
  });
});

describe('psiAll and maxPsi', () => {
  it('scores every feature and points at the drifted one', () => {
    const nCols = 3;
    const train = normals(7, 3_000 * nCols);
    const ref = featureReference(train, nCols, ['a', 'b', 'c']);
    const live = normals(8, 1_000 * nCols);
    for (let r = 0; r < 1_000; r++) live[r * nCols + 1] = live[r * nCols + 1]! + 2; // drift in column b
    const results = psiAll(ref, live, nCols);
    expect(results.map((r) => r.feature)).toEqual(['a', 'b', 'c']);
    expect(results[0]!.psi).toBeLessThan(0.05);
    expect(results[2]!.psi).toBeLessThan(0.05);
    expect(maxPsi(results)).toEqual({ feature: 'b', psi: results[1]!.psi });
    expect(results[1]!.psi).toBeGreaterThan(0.25);
    expect(() => psiAll(ref, live, 1)).toThrow(/sample has 1 columns, reference has 3 features/);
    expect(() => maxPsi([])).toThrow(/no results/);
  });
});
