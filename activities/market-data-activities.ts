/**
 * Activities of the `market-data` task queue: `streamBars`, a long-running heartbeating activity that keeps the
 * bars table of one symbol complete and current (binance/kline-stream.ts), and `backfillBars`, a one-shot
 * REST fill of a range. The streamBars activities of a worker process share one WebSocket client per exchange
 * setting (binance/shared-stream.ts): 50 symbols, one connection.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type postgres from 'postgres';
import { z } from 'zod';
import type { Database } from '../db/client';
import { BAR_MS } from '../domain/bars';
import { BINANCE_USDM } from '../domain/markets';
import type { ExchangeSettings } from '../domain/exchange-settings';
import { lastClosedOpenTime, missingRanges } from '../market-data/bar-window';
import { createRestClient, exchangeNow, marketSymbol } from '../binance/exchange-client';
import { isPermanentStreamError, KlineStreamer, type KlineStreamerOptions, type StreamHeartbeat } from '../binance/kline-stream';
import { backfillRange } from '../binance/rest-backfill';
import { SharedStreamPool } from '../binance/shared-stream';
import { storedOpenTimes, type BarStore } from '../market-data/store-bars';
import { BadInputError, failFastOnBadInput } from './activity-errors';

export interface MarketDataActivityDeps {
  readonly db: Database;
  /** The postgres.js client behind `db`, for NOTIFY. */
  readonly sql: postgres.Sql;
  /** Recovery and heartbeat timings of the streamer (tests shorten them). */
  readonly tuning?: Pick<KlineStreamerOptions, 'backoff' | 'clockCheckIntervalMs' | 'heartbeatIntervalMs'>;
  /** The WebSocket clients shared by this worker's streams (one per exchange setting); default: one per process. */
  readonly streams?: SharedStreamPool;
}

export interface StreamBarsInput {
  /** Exchange id, e.g. BTCUSDT. */
  readonly symbol: string;
  readonly exchange: ExchangeSettings;
  /** The rolling window kept complete (48-72 h for the features). */
  readonly historyHours: number;
  /** The activity returns after this long (default 12 h) so the workflow can continue as new; <= 23 h. */
  readonly sessionHours?: number;
}

export interface StreamBarsResult extends StreamHeartbeat {
  readonly endedBy: 'session-end';
}

export interface BackfillBarsInput {
  readonly symbol: string;
  readonly exchange: ExchangeSettings;
  /** Bars opening in [from, to); `to` is clamped to the last closed bar on the exchange's clock. */
  readonly from: number;
  readonly to: number;
}

export interface BackfillBarsResult {
  /** Minutes of the (clamped) range that were missing from the table. */
  readonly missing: number;
  /** Bars the exchange returned for them, and how many rows were new. */
  readonly fetched: number;
  readonly inserted: number;
  /** The last open time considered: min(to - 1 min, last closed bar); null when nothing was closed in range. */
  readonly lastOpenTime: number | null;
}

const HOUR_MS = 3_600_000;
export const MAX_SESSION_HOURS = 23;

/** The counters a retried streamBars continues from (its last heartbeat's details). */
const resumeDetails = z.object({ reconnects: z.number().int().nonnegative(), barsStored: z.number().int().nonnegative() });

function checkSymbol(symbol: string): void {
  try {
    marketSymbol(symbol);
  } catch (err) {
    throw new BadInputError((err as Error).message);
  }
}

/** The pool of activities created without one (one per process). */
let processPool: SharedStreamPool | undefined;

export function createMarketDataActivities({ db, sql, tuning, streams }: MarketDataActivityDeps) {
  const store: BarStore = { db, sql };
  const pool = streams ?? (processPool ??= new SharedStreamPool());

  return {
    async streamBars(input: StreamBarsInput): Promise<StreamBarsResult> {
      const ctx = Context.current();
      const sessionHours = input.sessionHours ?? 12;
      const resume = resumeDetails.safeParse(ctx.info.heartbeatDetails);
      await failFastOnBadInput(() => {
        checkSymbol(input.symbol);
        if (!(sessionHours > 0 && sessionHours <= MAX_SESSION_HOURS))
          throw new BadInputError(`sessionHours must be in (0, ${MAX_SESSION_HOURS}], got ${sessionHours}`);
        if (!(input.historyHours > 0)) throw new BadInputError(`historyHours must be > 0, got ${input.historyHours}`);
      });
      if (resume.success) ctx.log.info(`streamBars ${input.symbol}: resuming (attempt ${ctx.info.attempt})`, { ...resume.data });
      // Klines, the clock and the markets are public: no API keys needed. The WebSocket is shared: this
      // activity's end releases its lease (its symbol is unsubscribed; the connection closes with the last lease).
      const rest = createRestClient(input.exchange, null);
      const stream = pool.lease(input.exchange);
      const streamer = new KlineStreamer({
        // Cheap locally (the SDK throttles what reaches the server), and it bounds how late a cancellation is seen.
        heartbeatIntervalMs: 1_000,
        ...tuning,
        symbol: input.symbol,
        rest,
        stream,
        store,
        historyHours: input.historyHours,
        sourcePrefix: input.exchange.kind,
        // Heartbeats carry the progress (visible in the UI) and are how a cancellation reaches the activity.
        onHeartbeat: (details) => {
          ctx.heartbeat(details);
        },
        resume: resume.success ? resume.data : undefined,
        log: (line) => {
          ctx.log.info(line);
        },
      });
      const stop = new AbortController();
      let sessionEnded = false;
      const session = setTimeout(() => {
        sessionEnded = true;
        stop.abort();
      }, sessionHours * HOUR_MS);
      const onCancel = () => stop.abort();
      ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
      try {
        const summary = await streamer.run(stop.signal);
        if (!sessionEnded && ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        return { ...summary, endedBy: 'session-end' };
      } catch (err) {
        if (isPermanentStreamError(err)) {
          throw ApplicationFailure.nonRetryable(`streamBars ${input.symbol}: ${(err as Error).message}`, (err as Error).name);
        }
        throw err;
      } finally {
        clearTimeout(session);
        ctx.cancellationSignal.removeEventListener('abort', onCancel);
        await Promise.all([rest.close(), stream.release()]).catch(() => undefined);
      }
    },

    async backfillBars(input: BackfillBarsInput): Promise<BackfillBarsResult> {
      return failFastOnBadInput(async () => {
        checkSymbol(input.symbol);
        if (!Number.isInteger(input.from) || !Number.isInteger(input.to) || input.from >= input.to) {
          throw new BadInputError(`backfillBars needs integer times from < to, got ${input.from} .. ${input.to}`);
        }
        const rest = createRestClient(input.exchange, null);
        try {
          const from = Math.ceil(input.from / BAR_MS) * BAR_MS;
          const to = Math.min(Math.ceil(input.to / BAR_MS) * BAR_MS - BAR_MS, lastClosedOpenTime(await exchangeNow(rest)));
          if (from > to) return { missing: 0, fetched: 0, inserted: 0, lastOpenTime: null };
          const series = { market: BINANCE_USDM, symbol: input.symbol };
          const target = { rest, store, series, marketSymbol: marketSymbol(input.symbol), source: `${input.exchange.kind}-rest` };
          let missing = 0;
          let fetched = 0;
          let inserted = 0;
          for (const range of missingRanges(await storedOpenTimes(db, series, from, to), from, to)) {
            missing += (range.to - range.from) / BAR_MS + 1;
            const result = await backfillRange(target, range, Context.current().cancellationSignal);
            fetched += result.fetched;
            inserted += result.inserted;
          }
          return { missing, fetched, inserted, lastOpenTime: to };
        } finally {
          await rest.close();
        }
      });
    },
  };
}

export type MarketDataActivities = ReturnType<typeof createMarketDataActivities>;
