/**
 * The end of a backtest: reads the run's stored trades, equity, segments and predictions, computes the report
 * metrics and writes backtests/<run>/ (summary.json, trades.csv, equity.csv, report.html) and the run's row.
 * Everything is read by the run id, so the workflow passes only totals, however long the run.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { validationMetrics } from '../model/metrics';
import { rollingSharpeOf } from '../model/retrain-triggers';
import { performanceMetrics } from '../domain/trading';
import type { Database } from '../db/client';
import { listSegments, loadEquity, loadSegmentPredictions } from '../db/repositories/backtest-results';
import { finishRun, listTrades } from '../db/repositories/backtests';
import { equityCsv } from '../reports/equity-csv';
import { renderReportHtml } from '../reports/report-html';
import { tradesCsv } from '../reports/trades-csv';
import type { JsonObject } from '../db/schema';
import type { BacktestRequest, BacktestSummary, FinishBacktestInput } from '../contracts/backtest';
import { barList, dbSeries, type BarList } from './bar-series';
import { chartInputsOf } from './report-chart-inputs';
import { fundingNote, fundingSeriesOf, fundingSourceText } from './funding-series';

/** Models listed in report.html (summary.json lists them all). */
const REPORT_MODELS = 500;
const ALL_SEGMENTS = 2_147_483_647;

/** The run's data, as backtest_runs.data_ref and summary.json's `data.ref` name it: the file, or `db:bars/<market>/<symbol>`. */
export function describeRef(request: BacktestRequest): string {
  if (request.data.kind === 'file') return request.data.path;
  const series = dbSeries(request.data);
  return `db:bars/${series.market}/${series.symbol}`;
}

/** summary.json's `data` source fields: a file, or the `bars` table's series. */
function dataSource(request: BacktestRequest): Record<string, string> {
  if (request.data.kind === 'file') return { source: 'file', ref: request.data.path };
  return { source: 'db', ref: describeRef(request), ...dbSeries(request.data) };
}

/** JSON round trip: drops undefined and gives the plain object jsonb columns expect. */
export function toJson(value: unknown): JsonObject {
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

export async function writeBacktestResults(db: Database, input: FinishBacktestInput, heartbeat: () => void): Promise<BacktestSummary> {
  const { request, prepared } = input;
  const equity = await loadEquity(db, request.runId);
  const bars = await barList(request.data, db);
  const funding = await fundingSeriesOf(request.funding, db);
  // Each stored trade carries the funding the engine computed for it (strategy.md "Funding").
  const trades = (await listTrades(db, request.runId)).map((t) => ({
    side: t.side,
    entryTime: t.entryTime,
    entryPrice: t.entryPrice,
    exitTime: t.exitTime,
    exitPrice: t.exitPrice,
    qty: t.qty,
    fees: t.fees,
    funding: t.funding,
    netPnl: t.netPnl,
    exitReason: t.exitReason,
    modelVersion: t.modelVersion ?? '',
  }));
  const fundingSource = fundingNote(funding, bars, { from: prepared.testFrom, to: prepared.testTo });
  const segments = await listSegments(db, request.runId);
  heartbeat();
  const values = equity.map((p) => p.equity);
  const metrics = performanceMetrics(values, trades);
  const predictions = await loadSegmentPredictions(db, { runId: request.runId, symbol: request.symbol, fromSeq: 0, toSeq: ALL_SEGMENTS });
  const quality = tradedPeriodQuality(bars, predictions, request.training.horizon);
  heartbeat();
  const m = request.monitoring;
  const monitoring = segments.map((s) => {
    // The rolling Sharpe the live bot would have measured at the segment's end (equity[0] is T0).
    const end = Math.round((s.segmentTo - prepared.testFrom) / 60_000) + 1;
    const window = Math.min(m.sharpeWindowBars, end);
    const sharpe = rollingSharpeOf(values.slice(Math.max(0, end - window), end), window);
    const wouldTrigger = s.maxPsi > m.psiThreshold ? 'drift' : sharpe !== null && sharpe < m.sharpeThreshold ? 'performance' : null;
    return {
      from: s.trainEnd,
      model_version: s.modelVersion,
      max_psi_feature: s.maxPsiFeature,
      max_psi: s.maxPsi,
      rolling_sharpe: sharpe,
      would_trigger: wouldTrigger,
    };
  });
  const models = segments.map((s) => ({ version: s.modelVersion, train_end: s.trainEnd, reused: s.reused, validation: s.validation }));
  const summary = {
    runId: request.runId,
    symbol: request.symbol,
    status: 'completed',
    metrics,
    model_quality: { traded_period: quality, validation: models.map((x) => ({ version: x.version, ...x.validation })) },
    data: { ...dataSource(request), from: prepared.dataFrom, to: prepared.dataTo, bars: prepared.bars, funding: fundingSource },
    test: { from: prepared.testFrom, to: prepared.testTo, bars: equity.length - 1 },
    retrain_minutes: request.retrainMinutes,
    monitoring,
    models,
    timings: {
      train_ms: input.timings.trainMs,
      prepare_ms: input.timings.prepareMs,
      db_ms: input.timings.dbMs,
      simulate_ms: input.timings.simulateMs,
      models_trained: input.models - input.reused,
      models_reused: input.reused,
    },
    config: request.config,
  };
  const shownModels = segments.length <= REPORT_MODELS ? segments : segments.filter((_, i) => i % Math.ceil(segments.length / REPORT_MODELS) === 0);
  const html = renderReportHtml({
    title: `Backtest ${request.symbol} ${request.runId}`,
    runId: request.runId,
    symbol: request.symbol,
    dataRange: { from: prepared.dataFrom, to: prepared.dataTo },
    testRange: { from: prepared.testFrom, to: prepared.testTo },
    metrics: { ...metrics },
    // The full curve: the page downsamples its lines itself and the returns tables need every day's last point.
    equity,
    trades,
    charts: await chartInputsOf(db, { series: bars, testRange: { from: prepared.testFrom, to: prepared.testTo }, predictions, segments }),
    fundingSource: fundingSourceText(funding, fundingSource),
    models: shownModels.map((s) => ({ version: s.modelVersion, trainedAt: s.trainEnd, metrics: numericOnly(s.validation) })),
    ...(shownModels.length < segments.length
      ? { generatedBy: `The models table shows ${shownModels.length} of the run's ${segments.length} models; summary.json lists them all.` }
      : {}),
  });
  heartbeat();
  await writeRunFolder(request.outDir, {
    'trades.csv': tradesCsv(trades),
    'equity.csv': equityCsv(equity),
    'report.html': html,
    'summary.json': `${JSON.stringify(summary, null, 2)}\n`,
  });
  await finishRun(db, request.runId, {
    finishedAt: Date.now(),
    summary: toJson({ ...summary, monitoring: undefined, models: undefined, model_quality: { traded_period: quality } }),
  });
  return {
    runId: request.runId,
    outDir: request.outDir,
    metrics: { ...metrics },
    files: ['summary.json', 'trades.csv', 'equity.csv', 'report.html'].map((f) => join(request.outDir, f)),
  };
}

function numericOnly(o: Readonly<Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && k !== 'trainStart') out[k] = v;
  return out;
}

/** Model quality on the traded bars whose realised forward return is inside the data. */
function tradedPeriodQuality(series: BarList, p: { openTime: readonly number[]; prediction: readonly number[] }, horizon: number): Record<string, number> {
  const pred: number[] = [];
  const target: number[] = [];
  p.openTime.forEach((t, i) => {
    const idx = series.indexOf(t);
    const future = series.bars[idx + horizon];
    if (idx >= 0 && future) {
      pred.push(p.prediction[i]!);
      target.push(future.close / series.bars[idx]!.close - 1);
    }
  });
  if (pred.length < 2) return { rmse: 0, directionalAccuracy: 0, ic: 0, n: pred.length };
  return { ...validationMetrics(pred, target) };
}
