/**
 * PostgreSQL reads of the dashboard: one bot's recent bars, predictions, decisions, trades, equity, monitors,
 * retrain and reconciliation events, and the backtest runs. Bounded by row limits, so a long-running bot's page
 * stays light.
 */
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import {
  backtestRuns,
  bars,
  decisions,
  driftMeasurements,
  equitySnapshots,
  performanceMeasurements,
  reconciliationEvents,
  retrainEvents,
  trades,
} from '../db/schema';
import type { TradingMode } from '../contracts/bot';

/** Bars on the candlestick chart (6 hours of minutes). */
export const CHART_BARS = 360;
const TABLE_ROWS = 100;

// Bars may be stored under several markets (shipped file, exchange stream): one row per minute is enough here.
const barColumns = { openTime: bars.openTime, open: bars.open, high: bars.high, low: bars.low, close: bars.close };

function barsFrom(db: Database, symbol: string, from: number) {
  return db
    .selectDistinctOn([bars.openTime], barColumns)
    .from(bars)
    .where(and(eq(bars.symbol, symbol), gte(bars.openTime, from)))
    .orderBy(bars.openTime)
    .limit(CHART_BARS + 5);
}

async function newestBars(db: Database, symbol: string) {
  const rows = await db.selectDistinctOn([bars.openTime], barColumns).from(bars).where(eq(bars.symbol, symbol)).orderBy(desc(bars.openTime)).limit(CHART_BARS);
  return rows.reverse();
}

export async function botHistory(db: Database, symbol: string, mode: TradingMode) {
  const decisionRows = await db
    .select({
      openTime: decisions.openTime,
      prediction: decisions.prediction,
      action: decisions.action,
      reason: decisions.reason,
      equity: decisions.equity,
      modelVersion: decisions.modelVersion,
    })
    .from(decisions)
    .where(and(eq(decisions.symbol, symbol), eq(decisions.mode, mode)))
    .orderBy(desc(decisions.openTime))
    .limit(CHART_BARS);
  const last = decisionRows[0]?.openTime ?? null;
  // No decision yet (a bot that just started, or one holding since its first check): the newest stored bars.
  const barRows = last === null ? await newestBars(db, symbol) : await barsFrom(db, symbol, last - (CHART_BARS - 1) * 60_000);
  const tradeRows = await db
    .select({
      id: trades.id,
      side: trades.side,
      entryTime: trades.entryTime,
      entryPrice: trades.entryPrice,
      exitTime: trades.exitTime,
      exitPrice: trades.exitPrice,
      qty: trades.qty,
      fees: trades.fees,
      netPnl: trades.netPnl,
      exitReason: trades.exitReason,
      modelVersion: trades.modelVersion,
    })
    .from(trades)
    .where(and(eq(trades.symbol, symbol), eq(trades.mode, mode)))
    .orderBy(desc(trades.exitTime))
    .limit(TABLE_ROWS);
  const equityRows = await db
    .select({ openTime: equitySnapshots.openTime, equity: equitySnapshots.equity })
    .from(equitySnapshots)
    .where(and(eq(equitySnapshots.symbol, symbol), eq(equitySnapshots.mode, mode)))
    .orderBy(desc(equitySnapshots.openTime))
    .limit(CHART_BARS * 4);
  const [realised] = await db
    .select({ pnl: sql<number | null>`sum(${trades.netPnl})::float8`, count: sql<number>`count(*)::int` })
    .from(trades)
    .where(and(eq(trades.symbol, symbol), eq(trades.mode, mode)));
  return {
    bars: barRows,
    decisions: decisionRows.slice().reverse(),
    trades: tradeRows,
    equity: equityRows.slice().reverse(),
    realisedPnl: realised?.pnl ?? 0,
    tradeCount: realised?.count ?? 0,
  };
}

export async function botMonitors(db: Database, symbol: string, mode: TradingMode) {
  // Drift: the largest PSI over the features at each measured bar.
  const drift = await db
    .select({ openTime: driftMeasurements.openTime, psi: sql<number>`max(${driftMeasurements.psi})::float8` })
    .from(driftMeasurements)
    .where(eq(driftMeasurements.symbol, symbol))
    .groupBy(driftMeasurements.openTime)
    .orderBy(desc(driftMeasurements.openTime))
    .limit(TABLE_ROWS);
  const sharpe = await db
    .select({ openTime: performanceMeasurements.openTime, value: performanceMeasurements.value })
    .from(performanceMeasurements)
    .where(and(eq(performanceMeasurements.symbol, symbol), eq(performanceMeasurements.metric, 'rolling_sharpe')))
    .orderBy(desc(performanceMeasurements.openTime))
    .limit(TABLE_ROWS);
  const retrains = await db
    .select({
      id: retrainEvents.id,
      reason: retrainEvents.reason,
      startedAt: retrainEvents.startedAt,
      finishedAt: retrainEvents.finishedAt,
      outcome: retrainEvents.outcome,
      modelVersion: retrainEvents.modelVersion,
    })
    .from(retrainEvents)
    .where(eq(retrainEvents.symbol, symbol))
    .orderBy(desc(retrainEvents.startedAt))
    .limit(20);
  const reconciliations = await db
    .select({
      barTime: reconciliationEvents.barTime,
      kind: reconciliationEvents.kind,
      status: reconciliationEvents.status,
      differences: reconciliationEvents.differences,
      recordedAt: reconciliationEvents.recordedAt,
    })
    .from(reconciliationEvents)
    .where(and(eq(reconciliationEvents.symbol, symbol), eq(reconciliationEvents.mode, mode)))
    .orderBy(desc(reconciliationEvents.recordedAt))
    .limit(20);
  return { drift: drift.reverse(), sharpe: sharpe.reverse(), retrains, reconciliations };
}

export async function listBacktestRuns(db: Database) {
  return db
    .select({
      runId: backtestRuns.runId,
      symbol: backtestRuns.symbol,
      status: backtestRuns.status,
      startedAt: backtestRuns.startedAt,
      finishedAt: backtestRuns.finishedAt,
      summary: backtestRuns.summary,
      outDir: backtestRuns.outDir,
      error: backtestRuns.error,
    })
    .from(backtestRuns)
    .orderBy(desc(backtestRuns.startedAt))
    .limit(200);
}

export async function backtestOutDir(db: Database, runId: string): Promise<{ found: boolean; outDir: string | null }> {
  const [row] = await db.select({ outDir: backtestRuns.outDir }).from(backtestRuns).where(eq(backtestRuns.runId, runId)).limit(1);
  return { found: row !== undefined, outDir: row?.outDir ?? null };
}
