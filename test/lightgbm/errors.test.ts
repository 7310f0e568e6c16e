import { Booster, Dataset, LightGBMError, loadLibrary, train, type LightGBMErrorKind, type Params } from 'lightgbm-node-binding';
import { rows, synthetic } from './synthetic';

const params: Params = { objective: 'regression', metric: 'l2', num_leaves: 7, seed: 1, num_threads: 1 };
const data = synthetic(11, 300, 3, (x, e) => x[0]! + 0.1 * e);

/** Runs `action` and returns the LightGBMError it throws (failing the test if it throws anything else or nothing). */
function errorOf(action: () => unknown): LightGBMError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(LightGBMError);
    return error as LightGBMError;
  }
  throw new Error('expected a LightGBMError, but nothing was thrown');
}

function expectError(action: () => unknown, kind: LightGBMErrorKind, message: RegExp): void {
  const error = errorOf(action);
  expect(error.kind).toBe(kind);
  expect(error.message).toMatch(message);
}

describe('input validation before calling LightGBM', () => {
  it('rejects x whose length is not nRows * nCols', () => {
    expectError(
      () => Dataset.fromMatrix({ x: new Float64Array(10), y: new Float64Array(3), nRows: 3, nCols: 4 }),
      'invalid-argument',
      /Dataset\.fromMatrix: x has 10 values but nRows \* nCols = 3 \* 4 = 12/,
    );
  });

  it('rejects a label count different from nRows', () => {
    expectError(() => train({ params, train: { ...data, y: data.y.subarray(1) }, numIterations: 5 }), 'invalid-argument', /y has 299 labels but nRows is 300/);
  });

  it('rejects NaN and infinite labels, naming the row', () => {
    const y = Float64Array.from(data.y);
    y[2] = NaN;
    expectError(() => Dataset.fromMatrix({ ...data, y }), 'invalid-argument', /label at row 2 is NaN/);
    y[2] = Infinity;
    expectError(() => Dataset.fromMatrix({ ...data, y }), 'invalid-argument', /label at row 2 is Infinity/);
  });

  it('rejects empty data', () => {
    expectError(() => Dataset.fromMatrix({ x: new Float64Array(0), y: [], nRows: 0, nCols: 3 }), 'invalid-argument', /empty data: nRows is 0/);
    expectError(() => Dataset.fromMatrix({ x: new Float64Array(0), y: [1, 2], nRows: 2, nCols: 0 }), 'invalid-argument', /empty data: nCols is 0/);
  });

  it('rejects infinite features but accepts NaN as missing', () => {
    const x = Float64Array.from(data.x);
    x[3 * 5 + 1] = -Infinity;
    expectError(() => Dataset.fromMatrix({ ...data, x }), 'invalid-argument', /row 5, column 1 is -Infinity/);
    x[3 * 5 + 1] = NaN;
    const withMissing = Dataset.fromMatrix({ ...data, x });
    expect(withMissing.numRows).toBe(300);
    withMissing.dispose();
  });

  it('rejects parameters LightGBM would misparse and options train() owns', () => {
    expectError(() => train({ params: { ...params, metric: 'l2 l1' }, train: data, numIterations: 5 }), 'invalid-argument', /parameter metric/);
    expectError(() => train({ params: { ...params, n_estimators: 100 }, train: data, numIterations: 5 }), 'invalid-argument', /numIterations option/);
    expectError(() => train({ params, train: data, numIterations: 5, earlyStoppingRounds: 3 }), 'invalid-argument', /needs validation data/);
    expectError(() => train({ params, train: data, numIterations: 0 }), 'invalid-argument', /numIterations must be a positive integer/);
  });
});

describe('prediction input checks', () => {
  let booster: Booster;
  beforeAll(() => {
    booster = train({ params, train: rows(data, 0, 200), numIterations: 10 }).booster;
  });
  afterAll(() => booster.dispose());

  it('rejects a column count different from the model', () => {
    expectError(
      () => booster.predict({ x: new Float64Array(8), nRows: 2, nCols: 4 }),
      'invalid-argument',
      /Booster\.predict: input has 4 columns but the model expects 3 features/,
    );
    expectError(() => booster.predictRow([1, 2]), 'invalid-argument', /row has 2 values but the model expects 3 features/);
    expectError(() => booster.predictRow([1, Infinity, 2]), 'invalid-argument', /column 1 is Infinity/);
  });
});

describe('disposal', () => {
  it('is idempotent and makes later use throw a clear error', () => {
    const { booster } = train({ params, train: data, numIterations: 5 });
    booster.dispose();
    booster.dispose();
    expect(booster.disposed).toBe(true);
    expectError(() => booster.predict(data), 'disposed', /Booster\.predict: this Booster has been disposed/);
    expectError(() => booster.predictRow([0, 0, 0]), 'disposed', /Booster\.predictRow: this Booster has been disposed/);
    expectError(() => booster.saveToString(), 'disposed', /disposed/);

    const dataset = Dataset.fromMatrix(data, { params });
    dataset.dispose();
    dataset.dispose();
    expectError(() => train({ params, train: dataset, numIterations: 5 }), 'disposed', /this Dataset has been disposed/);
  });
});

describe('errors reported by LightGBM', () => {
  it("carry LightGBM's own message and the failing function", () => {
    const error = errorOf(() => Dataset.fromMatrix(data, { params: { num_leaves: 'many' } }));
    expect(error.kind).toBe('native');
    expect(error.functionName).toBe('LGBM_DatasetCreateFromMat');
    expect(error.nativeMessage).toMatch(/num_leaves/);
    expect(error.message).toBe(`LGBM_DatasetCreateFromMat failed: ${error.nativeMessage}`);

    const parse = errorOf(() => Booster.fromString('this is not a model'));
    expect(parse.functionName).toBe('LGBM_BoosterLoadModelFromString');
    expect(parse.nativeMessage).not.toBe('');
  });

  it('reject a validation set binned without the training reference', () => {
    const trainSet = Dataset.fromMatrix(rows(data, 0, 200), { params });
    const unrelated = Dataset.fromMatrix(rows(data, 200, 300), { params });
    try {
      const error = errorOf(() => train({ params, train: trainSet, valid: unrelated, numIterations: 5 }));
      expect(error.functionName).toBe('LGBM_BoosterAddValidData');
    } finally {
      trainSet.dispose();
      unrelated.dispose();
    }
  });
});

describe('library location', () => {
  const savedEnv = process.env.LIGHTGBM_LIB_PATH;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.LIGHTGBM_LIB_PATH;
    else process.env.LIGHTGBM_LIB_PATH = savedEnv;
  });

  it('finds the project toolchain copy and refuses to switch paths once loaded', () => {
    const path = loadLibrary();
    expect(path).toMatch(/lib_lightgbm\.so$/);
    expectError(() => loadLibrary({ libPath: '/elsewhere/lib_lightgbm.so' }), 'library', /already loaded/);
  });

  it('names the path it tried and how to install the library', async () => {
    process.env.LIGHTGBM_LIB_PATH = '/nonexistent/from-env/lib_lightgbm.so';
    await jest.isolateModulesAsync(async () => {
      // A fresh module instance has not loaded the library yet.
      const fresh = await import('lightgbm-node-binding');
      expect(() => fresh.loadLibrary()).toThrow(/Tried:\n {2}\/nonexistent\/from-env\/lib_lightgbm\.so\n.*npm run toolchain/);
      expect(() => fresh.loadLibrary({ libPath: '/nonexistent/option/lib_lightgbm.so' })).toThrow(/\/nonexistent\/option\/lib_lightgbm\.so/);
    });
  });
});
