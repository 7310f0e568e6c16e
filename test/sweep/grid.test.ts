import { loadConfig } from '../../config/load-config';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSweepRequest, combinationConfig, MAX_PLAN_BYTES, SweepInputError } from '../../app/sweep-plan';
import { gridCombinations, GridError, parseGrid, parseGridArg } from '../../domain/sweep/grid';
import { groupCombinations, isTradingOnlyKey } from '../../domain/sweep/grouping';
import { randomCombinations } from '../../domain/sweep/random-search';

describe('--grid parsing', () => {
  test('lists and ranges, both ends included, decimal steps exact', () => {
    expect(parseGridArg('trading.entry_threshold_bps=4,6,8').values).toEqual([4, 6, 8]);
    expect(parseGridArg('trading.entry_threshold_bps=4:12:2').values).toEqual([4, 6, 8, 10, 12]);
    expect(parseGridArg('trading.exit_threshold_bps=1:2:0.25').values).toEqual([1, 1.25, 1.5, 1.75, 2]);
    expect(parseGridArg('trading.entry_threshold_bps=4:9:2').values).toEqual([4, 6, 8, 9]);
    expect(parseGridArg('training.lightgbm.boosting=gbdt,dart').values).toEqual(['gbdt', 'dart']);
  });

  test('bad arguments name the key', () => {
    expect(() => parseGridArg('trading.entry_threshold_bps')).toThrow(GridError);
    expect(() => parseGridArg('trading.entry_threshold_bps=4:2:1')).toThrow(/trading.entry_threshold_bps.*below its start/);
    expect(() => parseGridArg('trading.entry_threshold_bps=4:8:0')).toThrow(/step.*> 0/);
    expect(() => parseGridArg('trading.entry_threshold_bps=4,4')).toThrow(/repeats/);
    expect(() => parseGrid(['trading.cooldown_minutes=1', 'trading.cooldown_minutes=2'])).toThrow(/twice/);
  });

  test('the cartesian product, last key fastest; random trials are seeded, distinct and inside the grid', () => {
    const axes = parseGrid(['trading.entry_threshold_bps=4,6', 'trading.exit_threshold_bps=1,2,3']);
    const all = gridCombinations(axes);
    expect(all).toHaveLength(6);
    expect(all[0]).toEqual({ 'trading.entry_threshold_bps': 4, 'trading.exit_threshold_bps': 1 });
    expect(all[5]).toEqual({ 'trading.entry_threshold_bps': 6, 'trading.exit_threshold_bps': 3 });
    const a = randomCombinations(axes, 4, 7);
    expect(randomCombinations(axes, 4, 7)).toEqual(a);
    expect(new Set(a.map((c) => JSON.stringify(c))).size).toBe(4);
    for (const c of a) expect(all).toContainEqual(c);
    expect(() => randomCombinations(axes, 7, 1)).toThrow(/exceeds/);
  });
});

describe('combinations against the configuration schema', () => {
  const base = loadConfig();
  test('a valid combination is applied', () => {
    const c = combinationConfig(base, { 'trading.entry_threshold_bps': 6, 'training.lightgbm.num_leaves': 16 });
    expect(c.trading.entry_threshold_bps).toBe(6);
    expect(c.training.lightgbm.num_leaves).toBe(16);
    expect(base.trading.entry_threshold_bps).toBe(8);
  });
  test('an unknown key or a bad value is refused, naming key and value', () => {
    expect(() => combinationConfig(base, { 'trading.entry_treshold_bps': 6 })).toThrow(/trading.entry_treshold_bps: unknown configuration key/);
    expect(() => combinationConfig(base, { 'trading.entry_threshold_bps': -1 })).toThrow(/trading.entry_threshold_bps = -1: Too small/);
    expect(() => combinationConfig(base, { 'training.lightgbm.num_leavs': 16 })).toThrow(/did you mean 'num_leaves'/);
    expect(() => combinationConfig(base, { 'trading.entry_threshold_bps': 2, 'trading.exit_threshold_bps': 4 })).toThrow(SweepInputError);
    expect(() => combinationConfig(base, { 'trading.entry_threshold_bps.x': 2 })).toThrow(/not a configuration section/);
  });
  test('groups: trading-only keys share a group, model keys split it', () => {
    expect(isTradingOnlyKey('execution.taker_fee_bps')).toBe(true);
    expect(isTradingOnlyKey('training.lightgbm.num_leaves')).toBe(false);
    const combos = gridCombinations(parseGrid(['trading.entry_threshold_bps=4,6,8', 'training.lightgbm.num_leaves=16,64']));
    const groups = groupCombinations(combos);
    expect(groups.map((g) => g.members)).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ]);
    expect(groups[1]!.modelValues).toEqual({ 'training.lightgbm.num_leaves': 64 });
  });
});

describe('the plan as the workflow input', () => {
  const base = loadConfig();
  const plan = (grid: string[]) => {
    const axes = parseGrid(grid);
    return buildSweepRequest(base, {
      sweepId: 'size-check',
      axes,
      combinations: gridCombinations(axes),
      search: 'grid',
      selectOn: 'sharpe',
      holdoutFraction: 0.3,
      maxParallel: 1,
      backtest: {},
      outDir: join(tmpdir(), 'size-check'),
    });
  };

  test('combinations carry no leverage brackets (the replay applies the symbol’s), so hundreds fit well inside the limit', async () => {
    const request = await plan(['trading.entry_threshold_bps=2:12:0.5', 'trading.exit_threshold_bps=0.5:2:0.5', 'trading.cooldown_minutes=1,3,5']);
    expect(request.groups[0]!.combos).toHaveLength(21 * 4 * 3);
    expect(request.groups[0]!.combos.every((c) => c.trading.leverageBrackets === undefined)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(request))).toBeLessThan(MAX_PLAN_BYTES);
  });

  test('a grid whose plan would pass Temporal’s payload limits is refused before anything starts, saying what fits', async () => {
    await expect(plan(['trading.entry_threshold_bps=2:12:0.1', 'trading.exit_threshold_bps=0.1:2:0.1', 'trading.cooldown_minutes=1,2,3'])).rejects.toThrow(
      /plan of 6060 combinations is \d+ KB \(at most 480 KB, about \d+ combinations\): use --search random/,
    );
  });
});
