/** The result files of a sweep: results.csv (a row per combination, ranked), summary.json and report.html. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FinishSweepInput, SweepSummary } from '../contracts/sweep';
import { rankResults, type ComboResult } from '../domain/sweep/ranking';
import { sweepResultsCsv } from '../reports/sweep-results-csv';
import { sweepReportHtml } from '../reports/sweep-report-html';

const TOP_ROWS = 10;

/** Write then rename: a reader (or a retried activity) never sees half a file. */
export function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function writeSweepFiles(input: FinishSweepInput, results: readonly ComboResult[]): SweepSummary {
  const { request } = input;
  const ranked = rankResults(results, request.selectOn);
  const metric = request.selectOn;
  const top = ranked.slice(0, TOP_ROWS).map((r, i) => ({
    rank: i + 1,
    index: r.index,
    values: r.values,
    inSample: r.inSample[metric],
    heldOut: r.heldOut[metric],
  }));
  const dir = request.outDir;
  const files = ['results.csv', 'summary.json', 'report.html'].map((f) => join(dir, f));
  writeAtomically(files[0]!, sweepResultsCsv(request.axes, ranked));
  const summary = {
    sweep_id: request.sweepId,
    search: request.search,
    select_on: metric,
    holdout_fraction: request.holdoutFraction,
    test: { from: request.testFrom, to: request.testTo, split: request.splitTime },
    backtest: { train_hours: request.timeline.trainHours, test_hours: request.timeline.testHours, retrain_minutes: request.timeline.retrainMinutes },
    axes: request.axes,
    groups: request.groups,
    combinations: results.length,
    models: input.models,
    elapsed_ms: input.elapsedMs,
    simulate_ms: input.simulateMs,
    ranking: ranked.map((r, i) => ({
      rank: i + 1,
      index: r.index,
      group: r.group,
      values: r.values,
      whole: r.whole,
      in_sample: r.inSample,
      held_out: r.heldOut,
    })),
  };
  writeAtomically(files[1]!, `${JSON.stringify(summary, null, 2)}\n`);
  writeAtomically(files[2]!, sweepReportHtml(request, ranked));
  return { sweepId: request.sweepId, outDir: dir, combinations: results.length, top, files };
}
