import { Booster, train, type Params, type TrainResult } from 'lightgbm-node-binding';
import { rSquared, rows, synthetic } from './synthetic';

// Small trees and one thread keep the suite quick on a shared 2-core machine.
const params: Params = {
  objective: 'regression',
  metric: 'l2',
  num_leaves: 15,
  learning_rate: 0.1,
  bagging_fraction: 0.8,
  bagging_freq: 1,
  seed: 42,
  num_threads: 1,
};

// y = 2*x1 - x2 + small noise; x3 is irrelevant.
const linear = synthetic(1, 1500, 3, (x, noise) => 2 * x[0]! - x[1]! + 0.1 * noise);
const trainRows = rows(linear, 0, 1000);
const validRows = rows(linear, 1000, 1250);
const heldOut = rows(linear, 1250, 1500);

function fit(overrides: Params = {}): TrainResult {
  return train({ params: { ...params, ...overrides }, train: trainRows, valid: validRows, numIterations: 400, earlyStoppingRounds: 20 });
}

describe('train + predict on y = 2*x1 - x2 + noise', () => {
  let result: TrainResult;
  beforeAll(() => {
    result = fit();
  });
  afterAll(() => result.booster.dispose());

  it('explains more than 90% of the variance of held-out rows', () => {
    const predicted = result.booster.predict(heldOut);
    expect(predicted).toHaveLength(heldOut.nRows);
    expect(rSquared(heldOut.y, predicted)).toBeGreaterThan(0.9);
  });

  it('records train and validation l2 for every iteration and reports the best one', () => {
    const { history, iterations, bestIteration } = result;
    expect(Object.keys(history.train)).toEqual(['l2']);
    expect(history.train.l2).toHaveLength(iterations);
    expect(history.valid!.l2).toHaveLength(iterations);
    const validL2 = history.valid!.l2!;
    expect(bestIteration).toBe(validL2.indexOf(Math.min(...validL2)) + 1);
    expect(result.earlyStoppingMetric).toEqual({ name: 'l2', higherIsBetter: false, bestScore: Math.min(...validL2) });
    expect(history.train.l2![iterations - 1]).toBeLessThan(history.train.l2![0]!);
  });

  it('keeps exactly bestIteration iterations in the model', () => {
    expect(result.booster.numIterations).toBe(result.bestIteration);
    const trees = result.booster.saveToString().match(/^Tree=\d+$/gm) ?? [];
    expect(trees).toHaveLength(result.bestIteration);
  });

  it('predicts the same after a save/load round trip, in batch and through the single-row fast path', () => {
    const loaded = Booster.fromString(result.booster.saveToString());
    try {
      const before = result.booster.predict(heldOut);
      const after = loaded.predict(heldOut);
      expect(Array.from(after)).toEqual(Array.from(before));
      for (let r = 0; r < 50; r++) {
        const row = heldOut.x.subarray(r * 3, r * 3 + 3);
        expect(result.booster.predictRow(row)).toBe(before[r]);
        expect(loaded.predictRow(Array.from(row))).toBe(before[r]);
      }
    } finally {
      loaded.dispose();
    }
  });

  it('saves a prefix of the iterations on request', () => {
    const firstTen = Booster.fromString(result.booster.saveToString(10));
    try {
      expect(firstTen.numIterations).toBe(10);
      expect(firstTen.predict(heldOut)).not.toEqual(result.booster.predict(heldOut));
    } finally {
      firstTen.dispose();
    }
  });

  it('ranks the informative features above the irrelevant one', () => {
    const gain = result.booster.featureImportance('gain');
    const splits = result.booster.featureImportance('split');
    expect(result.booster.numFeatures).toBe(3);
    expect(gain).toHaveLength(3);
    expect(gain[0]).toBeGreaterThan(gain[1]!);
    expect(gain[1]).toBeGreaterThan(gain[2]!);
    expect(splits.every((s) => Number.isInteger(s))).toBe(true);
  });
});

describe('determinism', () => {
  it('gives the identical model string for identical data, params and seed, and a different one for another seed', () => {
    const a = fit();
    const b = fit();
    const c = fit({ seed: 7 });
    try {
      expect(b.booster.saveToString()).toBe(a.booster.saveToString());
      expect(c.booster.saveToString()).not.toBe(a.booster.saveToString());
    } finally {
      [a, b, c].forEach((r) => r.booster.dispose());
    }
  });
});

describe('early stopping', () => {
  it('stops well before numIterations on a pure-noise target and keeps the best iteration', () => {
    const noise = synthetic(2, 1200, 3, (_x, e) => e);
    const result = train({
      params,
      train: rows(noise, 0, 900),
      valid: rows(noise, 900, 1200),
      numIterations: 1000,
      earlyStoppingRounds: 20,
    });
    try {
      expect(result.stopReason).toBe('early-stopping');
      expect(result.iterations).toBeLessThan(1000);
      expect(result.iterations).toBe(result.bestIteration + 20);
      expect(result.booster.numIterations).toBe(result.bestIteration);
    } finally {
      result.booster.dispose();
    }
  });

  it('maximises metrics where higher is better (auc) and accepts float32 features', () => {
    const data = synthetic(3, 1200, 2, (x, e) => (x[0]! + 0.5 * e > 0 ? 1 : 0));
    const asFloat32 = (from: number, to: number) => ({ ...rows(data, from, to), x: Float32Array.from(rows(data, from, to).x) });
    const result = train({
      params: { ...params, objective: 'binary', metric: 'auc' },
      train: asFloat32(0, 900),
      valid: asFloat32(900, 1200),
      numIterations: 300,
      earlyStoppingRounds: 15,
    });
    try {
      const auc = result.history.valid!.auc!;
      expect(result.earlyStoppingMetric?.higherIsBetter).toBe(true);
      expect(result.bestIteration).toBe(auc.indexOf(Math.max(...auc)) + 1);
      const p = result.booster.predict(asFloat32(900, 1200));
      expect(p.every((v) => v > 0 && v < 1)).toBe(true); // binary objective predicts probabilities
    } finally {
      result.booster.dispose();
    }
  });

  it('stops when onIteration returns false', () => {
    const seen: number[] = [];
    const result = train({
      params,
      train: trainRows,
      valid: validRows,
      numIterations: 100,
      onIteration: ({ iteration, valid }) => {
        seen.push(valid!.l2!);
        return iteration < 5;
      },
    });
    try {
      expect(result.stopReason).toBe('callback');
      expect(result.iterations).toBe(5);
      expect(seen).toEqual(result.history.valid!.l2);
    } finally {
      result.booster.dispose();
    }
  });
});
