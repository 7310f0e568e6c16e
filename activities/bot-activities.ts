/**
 * Activities of TradingBotWorkflow: wait for the next closed bar and predict it (read-only, safe to retry), and
 * record the decision, equity and closed trades (idempotent upserts keyed by symbol, mode and bar).
 */
import type { AwaitBarInput } from '../contracts/bot';
import { Context } from '@temporalio/activity';
import { sql as query } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Database } from '../db/client';
import { countBarsAfter, loadBars } from '../db/repositories/bars';
import { liveSeries } from '../domain/markets';
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
import { createRestClient, marketSymbol } from '../binance/exchange-client';
import { FundingLookup } from '../binance/funding-lookup';
import type { ExchangeSettings } from '../domain/exchange-settings';
import type { FundingRate } from '../domain/trading';

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

  // One per exchange and symbol: each remembers which minutes it already knows to carry no funding.
  const fundingLookups = new Map<string, FundingLookup>();
  const fundingAt = (settings: ExchangeSettings, symbol: string, openTime: number): Promise<FundingRate | null> => {
    const key = `${JSON.stringify(settings)}|${symbol}`;
    let lookup = fundingLookups.get(key);
    if (lookup === undefined) {
      lookup = new FundingLookup(createRestClient(settings, null), marketSymbol(symbol));
      fundingLookups.set(key, lookup);
    }
    return lookup.at(openTime);
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
          bar = await waitForBar(sql, liveSeries(input.symbol), input.openTime, Math.min(HEARTBEAT_MS, deadline - Date.now()));
        }
        if (bar === null) return { bar: null, prediction: null, challengerPrediction: null, barsBehind: 0, handedAt: null };
        const handedAt = Date.now();
        // Paper trading pays funding as the exchange settled it (public data: no keys).
        const funding = input.fundingFrom ? await fundingAt(input.fundingFrom, input.symbol, bar.openTime) : null;
        const row = await features.at(input.symbol, bar, input.historyMinutes, (from, to) => loadBars(db, liveSeries(input.symbol), from, to));
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
        const barsBehind = await countBarsAfter(db, liveSeries(input.symbol), bar.openTime);
        return { bar, prediction, challengerPrediction, barsBehind, handedAt, ...(input.fundingFrom ? { funding } : {}) };
      });
    },

    async recordBar(input: RecordBarInput): Promise<void> {
      const t = input.trader;
      // One transaction, committed durably: the bot never writes a bar's rows again, so they must not be among the
      // commits a PostgreSQL crash may lose under the pool's synchronous_commit=off (db/client.ts).
      await db.transaction(async (tx) => {
        await tx.execute(query`set local synchronous_commit = on`);
        await insertDecision(tx, {
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
        await upsertEquitySnapshots(tx, [
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
          tx,
          input.trades.map((tr) => ({ id: `${input.workflowId}:${tr.entryTime}:${tr.side}`, mode: input.mode, symbol: input.symbol, ...tr })),
        );
      });
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
