/**
 * Activities of TradingBotWorkflow: wait for the next closed bar and predict it (read-only, safe to retry), and
 * record the decision, equity and closed trades (idempotent upserts keyed by symbol, mode and bar).
 */
import type { AwaitBarInput } from '../contracts/bot';
import { Context } from '@temporalio/activity';
import type postgres from 'postgres';
import type { Database } from '../db/client';
import { countBarsAfter, loadBars } from '../db/repositories/bars';
import { insertDecision, insertTrades } from '../db/repositories/bot-records';
import { getModel } from '../db/repositories/models';
import { upsertEquitySnapshots } from '../db/repositories/equity';
import { upsertPredictions } from '../db/repositories/predictions';
import type { NewPredictionRow } from '../db/schema';
import { waitForBar } from '../market-data/bar-notifications';
import { BoosterCache } from '../model/lightgbm/booster-cache';
import { LiveFeatures } from '../model/live-features';
import { recordBarMetrics } from '../observability/bot-metrics';
import type { BarArrival, RecordBarInput } from '../contracts/bot';
import { BadInputError, failFastOnBadInput } from './activity-errors';

export interface BotActivityDeps {
  readonly db: Database;
  readonly sql: postgres.Sql;
  readonly boosters?: BoosterCache;
  readonly features?: LiveFeatures;
  /** Called with the bar-found-to-decision-recorded latency of every bar (benchmarks). */
  readonly onLatency?: (ms: number) => void;
}

const HEARTBEAT_MS = 2_000;

export function createBotActivities({ db, sql, boosters = new BoosterCache(), features = new LiveFeatures(), onLatency }: BotActivityDeps) {
  const modelText = async (version: string): Promise<string> => {
    const row = await getModel(db, version);
    if (!row) throw new BadInputError(`Model ${version} is not in the registry`);
    return row.modelText;
  };

  return {
    async awaitBar(input: AwaitBarInput): Promise<BarArrival> {
      return failFastOnBadInput(async () => {
        const deadline = Date.now() + input.waitMs;
        const ctx = Context.current();
        let bar = null;
        // Wait in slices so the activity heartbeats (a lost worker is noticed) and honours cancellation.
        while (bar === null && Date.now() < deadline && !ctx.cancellationSignal.aborted) {
          ctx.heartbeat();
          bar = await waitForBar(sql, input.symbol, input.openTime, Math.min(HEARTBEAT_MS, deadline - Date.now()));
        }
        if (bar === null) return { bar: null, prediction: null, challengerPrediction: null, barsBehind: 0, handedAt: null };
        const handedAt = Date.now();
        const row = await features.at(input.symbol, bar, input.historyMinutes, (from, to) => loadBars(db, input.symbol, from, to));
        let prediction: number | null = null;
        let challengerPrediction: number | null = null;
        if (row !== null) {
          prediction = (await boosters.get(input.modelVersion, modelText)).predictRow(row);
          const rows: NewPredictionRow[] = [{ symbol: input.symbol, openTime: bar.openTime, modelVersion: input.modelVersion, role: 'champion', prediction }];
          if (input.challengerVersion) {
            challengerPrediction = (await boosters.get(input.challengerVersion, modelText)).predictRow(row);
            rows.push({
              symbol: input.symbol,
              openTime: bar.openTime,
              modelVersion: input.challengerVersion,
              role: 'challenger',
              prediction: challengerPrediction,
            });
          }
          await upsertPredictions(db, rows);
        }
        return { bar, prediction, challengerPrediction, barsBehind: await countBarsAfter(db, input.symbol, bar.openTime), handedAt };
      });
    },

    async recordBar(input: RecordBarInput): Promise<void> {
      const t = input.trader;
      await insertDecision(db, {
        symbol: input.symbol,
        mode: input.mode,
        openTime: input.bar.openTime,
        modelVersion: input.modelVersion,
        prediction: input.prediction,
        action: input.action,
        reason: input.reason,
        barsBehind: input.barsBehind,
        equity: t.lastEquity,
      });
      await upsertEquitySnapshots(db, [
        {
          symbol: input.symbol,
          mode: input.mode,
          openTime: input.bar.openTime,
          equity: t.lastEquity,
          cash: t.cash,
          positionSide: t.position?.side ?? null,
          positionQty: t.position?.qty ?? 0,
        },
      ]);
      await insertTrades(
        db,
        input.trades.map((tr) => ({ id: `${input.workflowId}:${tr.entryTime}:${tr.side}`, mode: input.mode, symbol: input.symbol, ...tr })),
      );
      const latencyMs = input.handedAt !== null ? Date.now() - input.handedAt : null;
      if (latencyMs !== null) onLatency?.(latencyMs);
      // After every write succeeded, so a retry of a failed attempt does not count the bar twice.
      recordBarMetrics({
        symbol: input.symbol,
        mode: input.mode,
        openTime: input.bar.openTime,
        action: input.action,
        reason: input.reason,
        barsBehind: input.barsBehind,
        trader: t,
        trades: input.trades,
        latencyMs,
      });
    },
  };
}

export type BotActivities = ReturnType<typeof createBotActivities>;
