/**
 * Activities of RetrainWorkflow (trading queue, light): the retrain_events record, the newest training window,
 * and the shadow evaluation (progress, then the score on realised returns). Training itself is the shared
 * `trainModel` of the training queue; status changes go through the registry activities.
 */
import { BAR_MS } from '../domain/bars';
import { and, count, gte, lt } from 'drizzle-orm';
import type { Database } from '../db/client';
import { barRange, seriesWhere } from '../db/repositories/bars';
import { liveSeries } from '../domain/markets';
import { getModel } from '../db/repositories/models';
import { loadPredictions } from '../db/repositories/predictions';
import { finishRetrainEvent, insertRetrainEvent } from '../db/repositories/retrain-events';
import { countStoredBars, firstPredictionTimes, loadCloses } from '../db/repositories/shadow-data';
import { bars, type JsonObject, type ModelPurpose, type ModelStatus } from '../db/schema';
import { alignShadowBars, shadowVerdict, type ShadowScore } from '../model/shadow-score';
import type { FinishRetrainEventInput, RetrainEventInput, ScoreShadowInput, ShadowProgress, ShadowProgressInput } from '../contracts/retrain';
import { BadInputError, failFastOnBadInput } from './activity-errors';
import { recordRetrainOutcome } from '../observability/bot-metrics';

export interface TrainingWindow {
  /** Bars opening in [from, trainEnd) are the model's history (features warm-up + training window). */
  readonly from: number;
  readonly trainEnd: number;
  /** Stored bars in that range; fewer than (trainEnd - from) / 60 000 means gaps. */
  readonly bars: number;
}

/** jsonb takes plain JSON: drop undefined members, keep numbers, strings, booleans, null, arrays and objects. */
function json(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

export function createRetrainActivities({ db }: { db: Database }) {
  return {
    async recordRetrainEvent(input: RetrainEventInput): Promise<void> {
      await insertRetrainEvent(db, {
        id: input.id,
        symbol: input.symbol,
        reason: input.reason,
        detail: input.detail ? json(input.detail) : null,
        startedAt: input.startedAt,
        outcome: 'running',
      });
    },

    async finishRetrainEvent(input: FinishRetrainEventInput): Promise<void> {
      await finishRetrainEvent(db, {
        id: input.id,
        symbol: input.symbol,
        reason: input.reason,
        detail: input.detail ? json(input.detail) : null,
        startedAt: input.startedAt,
        finishedAt: input.finishedAt,
        outcome: input.outcome,
        modelVersion: input.modelVersion,
        metrics: json({ ...input.metrics, ...(input.error !== null ? { error: input.error } : {}) }),
      });
      recordRetrainOutcome(input.symbol, input.reason, input.outcome);
    },

    /** The newest `historyMinutes` of stored bars, ending after the last stored (closed) bar; null without bars. */
    async newestWindow(input: { symbol: string; historyMinutes: number }): Promise<TrainingWindow | null> {
      const range = await barRange(db, liveSeries(input.symbol));
      if (range === null) return null;
      const trainEnd = range.last + BAR_MS;
      const from = Math.max(range.first, trainEnd - input.historyMinutes * BAR_MS);
      const [stored] = await db
        .select({ n: count() })
        .from(bars)
        .where(and(seriesWhere(liveSeries(input.symbol)), gte(bars.openTime, from), lt(bars.openTime, trainEnd)));
      return { from, trainEnd, bars: stored?.n ?? 0 };
    },

    /** Registry facts of a model (null when unknown), without its text. */
    async modelInfo(version: string): Promise<{ symbol: string; status: ModelStatus; purpose: ModelPurpose } | null> {
      const row = await getModel(db, version);
      return row === null ? null : { symbol: row.symbol, status: row.status, purpose: row.purpose };
    },

    /** How far the bot's shadow of `challenger` has come: predictions recorded, and returns known of the first shadowBars. */
    async shadowProgress(input: ShadowProgressInput): Promise<ShadowProgress> {
      const { times, total } = await firstPredictionTimes(db, {
        symbol: input.symbol,
        modelVersion: input.challenger,
        role: 'challenger',
        from: input.from,
        limit: input.shadowBars,
      });
      const realised = await countStoredBars(
        db,
        liveSeries(input.symbol),
        times.map((t) => t + input.horizon * BAR_MS),
      );
      return {
        predictions: total,
        firstBar: times[0] ?? null,
        lastBar: times.length >= input.shadowBars ? times[times.length - 1]! : null,
        realised,
      };
    },

    /** Both models' predictions on the shadow bars against their realised returns, and the verdict of the shadow rule. */
    async scoreShadow(input: ScoreShadowInput): Promise<ShadowScore> {
      return failFastOnBadInput(async () => {
        if (!(input.from < input.to)) throw new BadInputError(`scoreShadow: empty bar range [${input.from}, ${input.to})`);
        const range = { symbol: input.symbol, from: input.from, to: input.to };
        const [champion, challenger, closes] = await Promise.all([
          loadPredictions(db, { ...range, modelVersion: input.champion, role: 'champion' }),
          loadPredictions(db, { ...range, modelVersion: input.challenger, role: 'challenger' }),
          loadCloses(db, liveSeries(input.symbol), input.from, input.to + input.horizon * BAR_MS),
        ]);
        const aligned = alignShadowBars({
          champion: champion.map((p) => ({ openTime: p.openTime, value: p.prediction })),
          challenger: challenger.map((p) => ({ openTime: p.openTime, value: p.prediction })),
          closes,
          horizon: input.horizon,
        });
        return shadowVerdict(aligned, { icMargin: input.icMargin, minBars: input.minBars });
      });
    },
  };
}

export type RetrainActivities = ReturnType<typeof createRetrainActivities>;
