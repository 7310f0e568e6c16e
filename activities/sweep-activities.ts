/**
 * Activities of SweepWorkflow (queue trading): replay every trading-only combination of a group over its
 * walk-forward's stored predictions, and write the sweep's result files. Both are idempotent: a group's file is
 * written atomically and a retry that finds it returns it; the result files are rewritten whole.
 */
import { Context } from '@temporalio/activity';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadLeverageBrackets, withLeverageBrackets } from '../config/leverage-brackets';
import type { Database } from '../db/client';
import { listSegments, loadSegmentPredictions } from '../db/repositories/backtest-results';
import type { FinishSweepInput, SimulateGroupInput, SimulateGroupResult, SweepRequest, SweepSummary } from '../contracts/sweep';
import { asJson, finishSweepRow, registerSweep, storeSweepResults } from '../db/repositories/sweeps';
import { rankResults } from '../domain/sweep/ranking';
import { downsample, type ComboResult } from '../domain/sweep/ranking';
import { replayCombination } from '../domain/sweep/replay';
import { splitMetrics } from '../domain/sweep/split-metrics';
import { BadInputError, failFastOnBadInput } from './activity-errors';
import { barList, iso } from './bar-series';
import { fundingSeriesOf } from './funding-series';
import { writeAtomically, writeSweepFiles } from './sweep-files';

const CURVE_POINTS = 400;

function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Outside an activity (a test): nothing to report to.
  }
}

export function createSweepActivities({ db }: { readonly db: Database }) {
  return {
    async registerSweepRun(input: {
      request: Omit<SweepRequest, 'groups'> & { groups: number; combinations: number };
      workflowId: string;
      startedAt: number;
    }): Promise<void> {
      const r = input.request;
      await registerSweep(db, {
        sweepId: r.sweepId,
        workflowId: input.workflowId,
        startedAt: input.startedAt,
        combinations: r.combinations,
        groups: r.groups,
        selectOn: r.selectOn,
        holdoutFraction: r.holdoutFraction,
        testFrom: r.testFrom,
        testTo: r.testTo,
        splitTime: r.splitTime,
        axes: asJson({ axes: r.axes, search: r.search }),
        outDir: r.outDir,
      });
    },

    async markSweep(input: { sweepId: string; status: 'failed' | 'cancelled' }): Promise<void> {
      await finishSweepRow(db, input.sweepId, input.status, Date.now());
    },

    async simulateSweepGroup(input: SimulateGroupInput): Promise<SimulateGroupResult> {
      return failFastOnBadInput(async () => {
        const started = performance.now();
        const file = join('groups', `g${input.group}.json`);
        const path = join(input.outDir, file);
        // A retry after the file was written (worker killed before it answered) does not simulate again.
        if (existsSync(path)) {
          const stored = JSON.parse(readFileSync(path, 'utf8')) as ComboResult[];
          if (stored.length === input.combos.length) return { group: input.group, combos: stored.length, file, simulateMs: 0 };
        }
        const series = await barList(input.data, db);
        const funding = (await fundingSeriesOf(input.funding, db))?.byMinute ?? null;
        const segments = await listSegments(db, input.runId);
        const predictions = await loadSegmentPredictions(db, { runId: input.runId, symbol: input.symbol, fromSeq: 0, toSeq: segments.length });
        const first = series.indexOf(input.testFrom);
        const n = (input.testTo - input.testFrom) / 60_000;
        if (first < 0 || predictions.openTime.length !== n) {
          throw new BadInputError(
            `Run ${input.runId}: ${predictions.openTime.length} stored predictions for the ${n} bars of ${iso(input.testFrom)} .. ${iso(input.testTo)}`,
          );
        }
        const bars = series.bars.slice(first, first + n);
        const results: ComboResult[] = [];
        // The same brackets for every combination of the symbol: the plan leaves them out (payload size).
        const brackets = loadLeverageBrackets(input.symbol);
        for (const combo of input.combos) {
          const replay = replayCombination(bars, predictions, withLeverageBrackets(combo.trading, input.symbol, brackets), funding);
          const metrics = splitMetrics(replay.equity, replay.trades, input.splitTime);
          const curve = downsample(
            replay.equity.map((p) => p.openTime),
            replay.equity.map((p) => p.equity),
            CURVE_POINTS,
          );
          results.push({ index: combo.index, group: input.group, values: combo.values, ...metrics, curve });
          heartbeat(combo.index);
        }
        writeAtomically(path, JSON.stringify(results));
        return { group: input.group, combos: results.length, file, simulateMs: performance.now() - started };
      });
    },

    async finishSweep(input: FinishSweepInput): Promise<SweepSummary> {
      return failFastOnBadInput(async () => {
        const results = input.files.flatMap((f) => JSON.parse(readFileSync(join(input.request.outDir, f), 'utf8')) as ComboResult[]);
        const summary = writeSweepFiles(input, results);
        const ranked = rankResults(results, input.request.selectOn);
        await storeSweepResults(
          db,
          input.request.sweepId,
          ranked.map((r, i) => ({
            sweepId: input.request.sweepId,
            combination: r.index,
            modelGroup: r.group,
            rank: i + 1,
            values: asJson(r.values),
            whole: asJson(r.whole),
            inSample: asJson(r.inSample),
            heldOut: asJson(r.heldOut),
          })),
        );
        await finishSweepRow(db, input.request.sweepId, 'completed', Date.now());
        return summary;
      });
    },
  };
}

export type SweepActivities = ReturnType<typeof createSweepActivities>;
