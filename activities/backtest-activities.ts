/**
 * Activities of BacktestWorkflow: validate the data and register the run, write the results
 * (database + backtests/<run>/), and mark a failed run as failed. Training and prediction: training-activities.ts.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { validationMetrics } from '../domain/model-metrics';
import { performanceMetrics } from '../domain/trading';
import type { Database } from '../db/client';
import { createRun, failRun, finishRun, getRun, insertTrades } from '../db/repositories/backtests';
import type { JsonObject } from '../db/schema';
import { equityCsv } from '../reports/equity-csv';
import { renderReportHtml } from '../reports/report-html';
import { tradesCsv } from '../reports/trades-csv';
import type {
  BacktestRequest,
  BacktestSummary,
  FinishBacktestInput,
  PrepareBacktestResult,
} from '../workflows/backtest-types';
import { BadInputError, failFastOnBadInput } from './activity-errors';
import { barSeries, iso } from './bar-series';

export interface BacktestActivityDeps {
  readonly db: Database;
}

const HOUR_MS = 3_600_000;

function describeRef(request: BacktestRequest): string {
  return request.data.kind === 'file' ? request.data.path : `db:bars/${request.data.symbol}`;
}

/** JSON round trip: drops undefined and gives the plain object jsonb columns expect. */
function toJson(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

/** Writes the files into a temporary folder renamed into place at the end: a run folder is complete or absent. */
async function writeRunFolder(outDir: string, files: Record<string, string>): Promise<void> {
  const staging = `${outDir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(staging, name), content);
  await mkdir(dirname(outDir), { recursive: true });
  await rm(outDir, { recursive: true, force: true });
  await rename(staging, outDir);
}

export function createBacktestActivities({ db }: BacktestActivityDeps) {
  return {
    async prepareBacktest(request: BacktestRequest): Promise<PrepareBacktestResult> {
      return failFastOnBadInput(async () => {
        const testFrom = request.start + request.trainHours * HOUR_MS;
        const testTo = testFrom + request.testHours * HOUR_MS;
        if (request.data.from !== request.start || request.data.to !== testTo) {
          throw new BadInputError(`The data reference covers ${iso(request.data.from)} .. ${iso(request.data.to)} but the run needs ${iso(request.start)} .. ${iso(testTo)}`);
        }
        // Loads and checks the whole range now (gaps, coverage), so a bad dataset fails before any training.
        const series = await barSeries(request.data, db);
        await createRun(db, {
          runId: request.runId,
          symbol: request.symbol,
          startedAt: Date.now(),
          config: toJson(request.config ?? {}),
          dataRef: describeRef(request),
          dataRange: { from: request.start, to: testTo, testFrom, testTo, bars: series.bars.length },
        });
        return { testFrom, testTo, dataFrom: request.start, dataTo: testTo, bars: series.bars.length };
      });
    },

    async finishBacktest(input: FinishBacktestInput): Promise<BacktestSummary> {
      const { request, prepared, trades, equity, models } = input;
      const metrics = performanceMetrics(equity.map((p) => p.equity), trades);
      const quality = await tradedPeriodQuality(input);
      const summary = {
        runId: request.runId,
        symbol: request.symbol,
        status: 'completed',
        metrics,
        model_quality: { traded_period: quality, validation: models.map((m) => ({ version: m.version, ...m.validation })) },
        data: { ref: describeRef(request), from: prepared.dataFrom, to: prepared.dataTo, bars: prepared.bars },
        test: { from: prepared.testFrom, to: prepared.testTo, bars: equity.length - 1 },
        retrain_minutes: request.retrainMinutes,
        // What the live bot's monitors would have measured at the end of each segment (PSI vs the segment's model).
        monitoring: input.monitoring.map((m) => ({ from: m.from, model_version: m.modelVersion, max_psi_feature: m.maxPsi.feature, max_psi: m.maxPsi.psi, rolling_sharpe: m.rollingSharpe, would_trigger: m.wouldTrigger })),
        models: models.map((m) => ({ version: m.version, train_start: m.trainStart, train_end: m.trainEnd, validation: m.validation })),
        timings: { train_ms: input.timings.trainMs, prepare_ms: input.timings.prepareMs, db_ms: input.timings.dbMs, models_trained: models.filter((m) => !m.reused).length },
        config: request.config,
      };
      const html = renderReportHtml({
        title: `Backtest ${request.symbol} ${request.runId}`,
        runId: request.runId,
        symbol: request.symbol,
        dataRange: { from: prepared.dataFrom, to: prepared.dataTo },
        testRange: { from: prepared.testFrom, to: prepared.testTo },
        metrics: { ...metrics },
        equity,
        trades,
        models: models.map((m) => ({ version: m.version, trainedAt: m.trainEnd, metrics: { ...m.validation } })),
      });
      await writeRunFolder(request.outDir, {
        'trades.csv': tradesCsv(trades),
        'equity.csv': equityCsv(equity),
        'report.html': html,
        'summary.json': `${JSON.stringify(summary, null, 2)}\n`,
      });
      await insertTrades(
        db,
        request.runId,
        trades.map((t, seq) => ({ seq, symbol: request.symbol, ...t })),
      );
      await finishRun(db, request.runId, { finishedAt: Date.now(), summary: toJson(summary) });
      return {
        runId: request.runId,
        outDir: request.outDir,
        metrics: { ...metrics },
        files: ['summary.json', 'trades.csv', 'equity.csv', 'report.html'].map((f) => join(request.outDir, f)),
      };
    },

    async failBacktest(input: { runId: string; error: string; workflowId: string }): Promise<void> {
      // The run may have failed before it was registered (bad data): then there is nothing to mark.
      if (await getRun(db, input.runId)) await failRun(db, input.runId, { finishedAt: Date.now(), error: input.error });
    },
  };

  /** Model quality on the traded bars whose realised forward return is inside the data. */
  async function tradedPeriodQuality(input: FinishBacktestInput): Promise<Record<string, number>> {
    const { request, prepared } = input;
    const series = await barSeries(request.data, db);
    const horizon = request.training.horizon;
    const pred: number[] = [];
    const target: number[] = [];
    input.predictions.forEach((p, i) => {
      const idx = series.indexOf(prepared.testFrom) + i;
      const future = series.bars[idx + horizon];
      if (future) {
        pred.push(p);
        target.push(future.close / series.bars[idx]!.close - 1);
      }
    });
    if (pred.length < 2) return { rmse: 0, directionalAccuracy: 0, ic: 0, n: pred.length };
    return { ...validationMetrics(pred, target) };
  }
}

export type BacktestActivities = ReturnType<typeof createBacktestActivities>;
