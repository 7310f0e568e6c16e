/**
 * Turns `--grid` values and the configuration into a checked plan: every combination applied to the configuration
 * and validated by the zod schema (an unknown key or a bad value is an error naming both), grouped by the settings
 * that change the models, each group's walk-forward built as the standalone backtest of its first combination.
 */
import { resolve } from 'node:path';
import { configSchema, type BotConfig } from '../config/schema';
import { withLeverageBrackets } from '../config/leverage-brackets';
import { projectRoot } from '../config/project-root';
import type { Combination, GridAxis, SweepValue } from '../domain/sweep/grid';
import { groupCombinations } from '../domain/sweep/grouping';
import { splitTime } from '../domain/sweep/split-metrics';
import type { SelectMetric, SweepGroup, SweepRequest } from '../contracts/sweep';
import { buildBacktestRequest, type BacktestOptions } from './backtest-request';
import { BacktestInputError } from './backtest-input-error';
import { tradingParamsFromConfig } from './trading-params';

const HOUR_MS = 3_600_000;

export class SweepInputError extends Error {
  override name = 'SweepInputError';
}

function describe(values: Combination): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** Sets a dotted key on a copy of the configuration; a key whose parent is not a section is refused by name. */
function withValue(raw: Record<string, unknown>, key: string, value: SweepValue): Record<string, unknown> {
  const path = key.split('.');
  const root: Record<string, unknown> = structuredClone(raw);
  let node: Record<string, unknown> = root;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new SweepInputError(`--grid ${key}: '${part}' is not a configuration section`);
    node = next as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
  return root;
}

/** The configuration of one combination, validated; the error names the combination and every bad key. */
export function combinationConfig(base: BotConfig, values: Combination): BotConfig {
  let raw: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(values)) raw = withValue(raw, key, value);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const path = i.path.join('.');
      // zod reports an unknown key on its parent section: name the full key instead.
      if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${path}.${k}: unknown configuration key`).join('; ');
      const swept = values[path] !== undefined ? ` = ${String(values[path])}` : '';
      return `${path}${swept}: ${i.message}`;
    });
    throw new SweepInputError(`combination ${describe(values)} is not a valid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed.data;
}

export interface SweepPlanOptions {
  readonly sweepId: string;
  readonly axes: readonly GridAxis[];
  readonly combinations: readonly Combination[];
  readonly search: 'grid' | 'random';
  readonly selectOn: SelectMetric;
  readonly holdoutFraction: number;
  readonly maxParallel: number;
  readonly backtest: Omit<BacktestOptions, 'runId' | 'out'>;
  readonly outDir?: string;
}

/** Validates everything (no server needed), then reads the data once per group to build its backtest request. */
/** Below Temporal's 512 KB payload warning, so a sweep's input and its group activities' inputs never near the 2 MB limit. */
export const MAX_PLAN_BYTES = 480 * 1024;

export async function buildSweepRequest(base: BotConfig, options: SweepPlanOptions): Promise<SweepRequest> {
  if (!/^[A-Za-z0-9._-]{1,60}$/.test(options.sweepId))
    throw new SweepInputError(`sweep id '${options.sweepId}' may only contain letters, digits, '.', '_' and '-'`);
  if (!(options.holdoutFraction > 0 && options.holdoutFraction < 1))
    throw new SweepInputError(`--holdout-fraction must be between 0 and 1 (got ${options.holdoutFraction})`);
  if (!Number.isInteger(options.maxParallel) || options.maxParallel < 1)
    throw new SweepInputError(`--max-parallel must be a positive integer (got ${options.maxParallel})`);
  const configs = options.combinations.map((c) => combinationConfig(base, c));
  const outDir = options.outDir ?? resolve(projectRoot(), 'sweeps', options.sweepId);
  const groups: SweepGroup[] = [];
  let window: { testFrom: number; testTo: number } | null = null;
  for (const [k, g] of groupCombinations(options.combinations).entries()) {
    const first = configs[g.members[0]!]!;
    const runId = `${options.sweepId}-g${k}`;
    const prepared = await buildBacktestRequest(first, { ...options.backtest, runId, out: resolve(outDir, 'backtests', runId) });
    const r = prepared.request;
    const testFrom = r.start + r.trainHours * HOUR_MS;
    const testTo = testFrom + r.testHours * HOUR_MS;
    if (window !== null && (window.testFrom !== testFrom || window.testTo !== testTo)) {
      throw new SweepInputError(
        `group ${describe(g.modelValues)} tests ${testFrom}..${testTo}, another group ${window.testFrom}..${window.testTo}: one test period per sweep`,
      );
    }
    window = { testFrom, testTo };
    const combos = g.members.map((index) => {
      try {
        const trading = tradingParamsFromConfig(configs[index]!);
        // Checked against the symbol's brackets here; the replay activity applies them (1.5 KB a combination).
        withLeverageBrackets(trading, r.symbol);
        return { index, values: options.combinations[index]!, trading };
      } catch (err) {
        throw new SweepInputError(`combination ${describe(options.combinations[index]!)}: ${(err as Error).message}`);
      }
    });
    groups.push({ index: k, modelValues: g.modelValues, backtest: r, combos });
  }
  if (window === null) throw new BacktestInputError('a sweep needs at least one combination');
  let split: number;
  try {
    split = splitTime(window.testFrom, window.testTo, options.holdoutFraction);
  } catch (err) {
    throw new SweepInputError((err as Error).message);
  }
  const request: SweepRequest = {
    sweepId: options.sweepId,
    outDir,
    axes: options.axes,
    search: options.search,
    selectOn: options.selectOn,
    holdoutFraction: options.holdoutFraction,
    maxParallel: options.maxParallel,
    testFrom: window.testFrom,
    testTo: window.testTo,
    splitTime: split,
    timeline: { trainHours: groups[0]!.backtest.trainHours, testHours: groups[0]!.backtest.testHours, retrainMinutes: groups[0]!.backtest.retrainMinutes },
    groups,
  };
  // The plan is the workflow's input: it must stay well inside Temporal's payload limits (warning at 512 KB).
  const bytes = Buffer.byteLength(JSON.stringify(request));
  if (bytes > MAX_PLAN_BYTES) {
    throw new SweepInputError(
      `the sweep's plan of ${options.combinations.length} combinations is ${Math.round(bytes / 1024)} KB (at most ${MAX_PLAN_BYTES / 1024} KB, about ` +
        `${Math.floor((MAX_PLAN_BYTES / bytes) * options.combinations.length)} combinations): use --search random --trials N, or split the grid`,
    );
  }
  return request;
}
