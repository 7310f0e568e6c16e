import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { createRun, failRun, finishRun, getRun, insertTrades, listTrades, type BacktestTradeInput } from '../../db/repositories/backtests';
import { insertTrades as insertBotTrades } from '../../db/repositories/bot-records';
import { latestEquity, loadEquity, upsertEquitySnapshots } from '../../db/repositories/equity';
import { getChampion, getModel, insertModel, listModels, modelVersion, setModelStatus } from '../../db/repositories/models';
import { loadPredictions, upsertPredictions } from '../../db/repositories/predictions';
import { trades, type NewModelRow } from '../../db/schema';
import { BAR_MS } from '../../domain/bars';
import { startTempPostgres, type TempPostgres } from './temp-postgres';

const T = Date.UTC(2023, 2, 3, 12, 0); // 2023-03-03T12:00Z
const HOUR = 3_600_000;

let pg: TempPostgres;
let handle: DatabaseHandle;

beforeAll(async () => {
  pg = await startTempPostgres();
  await migrateDatabase(pg.url);
  handle = openDatabase(pg.url, { max: 2 });
});

afterAll(async () => {
  await handle?.close();
  await pg?.stop();
});

function model(trainEnd: number, params: Record<string, number | string>, purpose: 'live' | 'backtest' = 'live'): NewModelRow {
  const trainStart = trainEnd - 48 * HOUR;
  return {
    version: modelVersion({ symbol: 'BTCUSDT', trainStart, trainEnd, horizon: 10, params }),
    symbol: 'BTCUSDT',
    createdAt: trainEnd + 5_000,
    trainStart,
    trainEnd,
    horizon: 10,
    params,
    metrics: { rmse: 0.0012, directionalAccuracy: 0.53, ic: 0.04, n: 500, bestIteration: 87, nTrain: 2000, nValid: 500 },
    featureReference: { version: 1, nRows: 2000, features: [{ feature: 'ret_1', cuts: [-0.001, 0, 0.001], expected: [0.2, 0.3, 0.3, 0.2] }] },
    featureImportance: { ret_1: 12.5 },
    modelText: `tree\nversion=v4\n# trained at ${trainEnd}`,
    purpose,
  };
}

describe('model registry', () => {
  it('names versions after symbol, window end and a hash of the training inputs', () => {
    const a = modelVersion({ symbol: 'BTCUSDT', trainStart: T - 48 * HOUR, trainEnd: T, horizon: 10, params: { num_leaves: 64, learning_rate: 0.03 } });
    expect(a).toMatch(/^BTCUSDT-20230303T1200-[0-9a-f]{8}$/);
    // Key order does not matter; any changed input does.
    expect(modelVersion({ symbol: 'BTCUSDT', trainStart: T - 48 * HOUR, trainEnd: T, horizon: 10, params: { learning_rate: 0.03, num_leaves: 64 } })).toBe(a);
    expect(modelVersion({ symbol: 'BTCUSDT', trainStart: T - 48 * HOUR, trainEnd: T, horizon: 10, params: { learning_rate: 0.05, num_leaves: 64 } })).not.toBe(
      a,
    );
    expect(modelVersion({ symbol: 'BTCUSDT', trainStart: T - 24 * HOUR, trainEnd: T, horizon: 10, params: { learning_rate: 0.03, num_leaves: 64 } })).not.toBe(
      a,
    );
  });

  it('registers a model once and lists it without its model text', async () => {
    const row = model(T, { num_leaves: 64 });
    expect(await insertModel(handle.db, row)).toBe(true);
    expect(await insertModel(handle.db, { ...row, modelText: 'different' })).toBe(false);

    const stored = await getModel(handle.db, row.version);
    expect(stored).toMatchObject({
      version: row.version,
      status: 'candidate',
      modelText: row.modelText,
      metrics: row.metrics,
      featureReference: row.featureReference,
    });
    expect(await getModel(handle.db, 'BTCUSDT-nope')).toBeNull();

    const listed = await listModels(handle.db, { symbol: 'BTCUSDT' });
    expect(listed.map((m) => m.version)).toEqual([row.version]);
    expect(listed[0]).not.toHaveProperty('modelText');
  });

  it('keeps one champion per symbol: promoting a model retires the previous champion', async () => {
    const first = model(T, { num_leaves: 64 });
    const second = model(T + 15 * 60_000, { num_leaves: 64 });
    await insertModel(handle.db, first); // already registered above: a no-op
    await insertModel(handle.db, second);
    expect(await getChampion(handle.db, 'BTCUSDT')).toBeNull();

    await setModelStatus(handle.db, first.version, 'champion', T + 1_000);
    await setModelStatus(handle.db, second.version, 'shadow', T + 2_000);
    const promoted = await setModelStatus(handle.db, second.version, 'champion', T + 3_000);
    expect(promoted).toMatchObject({ status: 'champion', statusChangedAt: T + 3_000 });

    expect((await getChampion(handle.db, 'BTCUSDT'))?.version).toBe(second.version);
    expect(await getModel(handle.db, first.version)).toMatchObject({ status: 'retired', statusChangedAt: T + 3_000 });
    expect((await listModels(handle.db, { status: ['champion', 'shadow'] })).map((m) => m.version)).toEqual([second.version]);
  });

  it('refuses to promote a backtest model or an unknown version', async () => {
    const replay = model(T, { num_leaves: 31 }, 'backtest');
    await insertModel(handle.db, replay);
    await expect(setModelStatus(handle.db, replay.version, 'champion', T)).rejects.toThrow(/trained for a backtest/);
    await expect(setModelStatus(handle.db, 'BTCUSDT-missing', 'rejected', T)).rejects.toThrow('model BTCUSDT-missing is not in the registry');
  });
});

describe('backtest runs', () => {
  const trade = (seq: number): BacktestTradeInput => ({
    seq,
    symbol: 'BTCUSDT',
    side: seq % 2 === 0 ? 'LONG' : 'SHORT',
    entryTime: T + seq * 10 * BAR_MS,
    entryPrice: 22_000 + seq,
    exitTime: T + (seq * 10 + 5) * BAR_MS,
    exitPrice: 22_010 + seq,
    qty: 0.45,
    fees: 7.9,
    // A LONG paid funding, a SHORT received it; net PnL = price PnL - fees - funding.
    funding: seq % 2 === 0 ? 0.35 : -0.35,
    netPnl: seq % 2 === 0 ? -3.75 : -12.05,
    exitReason: 'signal',
    modelVersion: 'BTCUSDT-20230303T1200-abcdef01',
  });

  it('records a run, its trades once each, and its outcome', async () => {
    const input = { runId: 'bt-1', symbol: 'BTCUSDT', startedAt: T, config: { retrainMinutes: 15 }, dataRef: 'data/btcusdt.csv.gz' };
    expect(await createRun(handle.db, input)).toBe(true);
    expect(await createRun(handle.db, input)).toBe(false);

    expect(await insertTrades(handle.db, 'bt-1', [trade(0), trade(1), trade(2)])).toBe(3);
    // A retried activity writes the same trades again, plus the ones it got further with.
    expect(await insertTrades(handle.db, 'bt-1', [trade(0), trade(1), trade(2), trade(3)])).toBe(1);
    expect((await listTrades(handle.db, 'bt-1')).map((t) => [t.seq, t.side, t.entryPrice, t.funding])).toEqual([
      [0, 'LONG', 22_000, 0.35],
      [1, 'SHORT', 22_001, -0.35],
      [2, 'LONG', 22_002, 0.35],
      [3, 'SHORT', 22_003, -0.35],
    ]);

    await finishRun(handle.db, 'bt-1', { finishedAt: T + HOUR, summary: { metrics: { trades: 4 } } });
    expect(await getRun(handle.db, 'bt-1')).toMatchObject({ status: 'completed', finishedAt: T + HOUR, summary: { metrics: { trades: 4 } } });
  });

  it('records a failure, and refuses to finish a run that was never created', async () => {
    await createRun(handle.db, { runId: 'bt-2', symbol: 'BTCUSDT', startedAt: T, config: {}, dataRef: 'x' });
    await failRun(handle.db, 'bt-2', { finishedAt: T + 1, error: 'LightGBM: no rows' });
    expect(await getRun(handle.db, 'bt-2')).toMatchObject({ status: 'failed', error: 'LightGBM: no rows' });
    await expect(finishRun(handle.db, 'bt-404', { finishedAt: T, summary: {} })).rejects.toThrow('backtest run bt-404 does not exist');
  });
});

describe("the bot's trades", () => {
  it('keep the funding each round trip paid, once per id', async () => {
    const closed = {
      id: 'bot-BTCUSDT-paper:1677844800000:SHORT',
      mode: 'paper' as const,
      symbol: 'BTCUSDT',
      side: 'SHORT' as const,
      entryTime: T,
      entryPrice: 22_000,
      exitTime: T + 2 * HOUR,
      exitPrice: 21_990,
      qty: 0.45,
      fees: 7.9,
      // A SHORT held across a positive funding rate receives it.
      funding: -0.99,
      netPnl: 4.5 - 7.9 + 0.99,
      exitReason: 'take_profit' as const,
      modelVersion: 'BTCUSDT-20230303T1200-abcdef01',
    };
    await insertBotTrades(handle.db, [closed]);
    await insertBotTrades(handle.db, [{ ...closed, funding: 5 }]); // a retried recordBar leaves the first row
    expect(await handle.db.select().from(trades)).toEqual([closed]);
  });
});

describe('predictions and equity snapshots', () => {
  it('upserts predictions: a repeated write replaces the value', async () => {
    const base = { symbol: 'BTCUSDT', modelVersion: 'm1', role: 'champion' as const };
    await upsertPredictions(
      handle.db,
      [0, 1, 2].map((i) => ({ ...base, openTime: T + i * BAR_MS, prediction: i * 1e-4 })),
    );
    await upsertPredictions(handle.db, [{ ...base, openTime: T + BAR_MS, prediction: 9e-4 }]);
    await upsertPredictions(handle.db, [{ ...base, role: 'challenger', modelVersion: 'm2', openTime: T, prediction: -1e-4 }]);

    const rows = await loadPredictions(handle.db, { symbol: 'BTCUSDT', modelVersion: 'm1', from: T, to: T + 3 * BAR_MS });
    expect(rows.map((r) => [r.openTime, r.prediction])).toEqual([
      [T, 0],
      [T + BAR_MS, 9e-4],
      [T + 2 * BAR_MS, 2e-4],
    ]);
  });

  it('upserts equity snapshots and finds the latest', async () => {
    const snap = (i: number, equity: number) => ({ symbol: 'BTCUSDT', mode: 'paper' as const, openTime: T + i * BAR_MS, equity, cash: equity });
    await upsertEquitySnapshots(handle.db, [snap(0, 10_000), snap(1, 10_010), snap(2, 9_990)]);
    await upsertEquitySnapshots(handle.db, [{ ...snap(2, 9_995), positionSide: 'LONG', positionQty: 0.4, cash: 1_000 }]);

    expect((await loadEquity(handle.db, 'BTCUSDT', 'paper', T, T + 2 * BAR_MS)).map((r) => r.equity)).toEqual([10_000, 10_010]);
    expect(await latestEquity(handle.db, 'BTCUSDT', 'paper')).toMatchObject({ equity: 9_995, cash: 1_000, positionSide: 'LONG', positionQty: 0.4 });
    expect(await latestEquity(handle.db, 'BTCUSDT', 'live')).toBeNull();
  });
});
