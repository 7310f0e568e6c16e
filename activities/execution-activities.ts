/**
 * Live execution activities of TradingBotWorkflow: market orders with deterministic client order ids (a retried
 * activity finds its order instead of sending it again), reduce-only stop-loss / take-profit orders on the
 * exchange while a position is open, and the detection of their fills. Keys come from the environment only.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../db/client';
import { upsertOrder } from '../db/repositories/orders';
import { exchangeCredentials, testnetCredentials } from '../config/secrets';
import { clientOrderId } from '../domain/client-order-id';
import type { ExchangeSettings } from '../domain/exchange-settings';
import type { ExecuteIntentInput, LiveFill, ProtectiveCheckInput, ProtectiveHit } from '../contracts/bot';
import type { AccountReading, AdoptInput, AdoptResult, ReadAccountInput, RecordReconciliationInput } from '../contracts/reconciliation';
import { insertReconciliationEvent } from '../db/repositories/reconciliation-events';
import type { JsonValue } from '../db/schema';
import { setReconciliationState } from '../observability/bot-metrics';
import { entryQuantity, protectiveLevels, readTradingParams, type Side } from '../domain/trading';
import { isRetryableExchangeError, LiveExecutor, type OrderReport } from '../binance/live-executor';
import { createRestClient } from '../binance/exchange-client';

/**
 * Keys for the exchange's signed endpoints, from the worker's environment only: workflow inputs (and so histories)
 * never carry them. A local exchange started with its demo keys may name them in its settings instead.
 */
function credentialsFor(settings: ExchangeSettings) {
  // Locally the client's default applies: the settings' keys, else the environment's, else the demo keys.
  if (settings.kind === 'local') return undefined;
  const testnet = settings.testnet === true;
  const credentials = testnet ? testnetCredentials() : exchangeCredentials();
  if (!credentials) {
    const names = testnet ? 'BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_API_SECRET' : 'BINANCE_API_KEY and BINANCE_API_SECRET';
    throw ApplicationFailure.nonRetryable(`Live trading${testnet ? ' on the testnet' : ''} needs ${names} in the environment`, 'MissingCredentials');
  }
  return credentials;
}

/** Exchange errors no retry can fix (refused order, bad key) end the attempt without retrying. */
async function classified<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (!isRetryableExchangeError(err)) throw ApplicationFailure.nonRetryable((err as Error).message, (err as Error).name);
    throw err;
  }
}

export function createExecutionActivities({ db }: { db: Database }) {
  const executors = new Map<string, LiveExecutor>();
  const executorFor = (settings: ExchangeSettings, symbol: string): LiveExecutor => {
    const key = `${JSON.stringify(settings)}|${symbol}`;
    let executor = executors.get(key);
    if (!executor) {
      executor = new LiveExecutor(createRestClient(settings, credentialsFor(settings)), symbol);
      executors.set(key, executor);
    }
    return executor;
  };

  const recordOrder = async (symbol: string, report: OrderReport, decisionOpenTime: number, reason: string): Promise<void> => {
    const row = {
      clientOrderId: report.clientOrderId,
      symbol,
      mode: 'live' as const,
      side: report.side,
      type: report.type,
      reduceOnly: report.reduceOnly,
      qty: report.qty,
      status: report.status,
      exchangeOrderId: report.exchangeOrderId,
      avgFillPrice: report.avgPrice,
      filledQty: report.filledQty,
      fee: report.fee,
      feeAsset: report.feeAsset,
      decisionOpenTime,
      reason,
    };
    await upsertOrder(db, row);
  };

  return {
    async executeLiveIntent(input: ExecuteIntentInput): Promise<LiveFill> {
      return classified(async () => {
        const executor = executorFor(input.exchange, input.symbol);
        await executor.loadFilters();
        const ids = (purpose: 'open' | 'close' | 'sl' | 'tp' | 'flatten') =>
          clientOrderId({ workflowId: input.workflowId, barOpenTime: input.decisionBarTime, purpose });
        if (input.intent.type === 'CLOSE') {
          const position = input.position;
          if (!position) throw ApplicationFailure.nonRetryable('CLOSE without an open position', 'NoPosition');
          if (position.protective) await executor.cancelProtectiveOrders(position.protective);
          const id = ids(input.intent.reason === 'flatten' ? 'flatten' : 'close');
          const report = await executor.placeMarketOrder({
            side: position.side === 'LONG' ? 'sell' : 'buy',
            qty: position.qty,
            reduceOnly: true,
            clientOrderId: id,
          });
          await recordOrder(input.symbol, report, input.decisionBarTime, input.intent.reason);
          return { price: report.avgPrice!, qty: report.filledQty, fee: report.fee, time: report.time, clientOrderId: id, protective: null };
        }
        const side: Side = input.intent.type === 'OPEN_LONG' ? 'LONG' : 'SHORT';
        const trading = readTradingParams(input.trading);
        const equity = await executor.fetchEquity();
        const price = await executor.lastPrice();
        const id = ids('open');
        const report = await executor.placeMarketOrder({
          side: side === 'LONG' ? 'buy' : 'sell',
          qty: entryQuantity(equity, price, trading),
          reduceOnly: false,
          clientOrderId: id,
          referencePrice: price,
        });
        await recordOrder(input.symbol, report, input.decisionBarTime, input.intent.type);
        const entry = report.avgPrice!;
        const protective = { sl: ids('sl'), tp: ids('tp') };
        const levels = protectiveLevels({ side, entryPrice: entry }, trading);
        const placed = await executor.placeProtectiveOrders({
          positionSide: side,
          qty: report.filledQty,
          stopPrice: levels.stop,
          takeProfitPrice: levels.take,
          clientOrderIds: protective,
        });
        await recordOrder(input.symbol, placed.stopLoss, input.decisionBarTime, 'stop_loss');
        await recordOrder(input.symbol, placed.takeProfit, input.decisionBarTime, 'take_profit');
        return { price: entry, qty: report.filledQty, fee: report.fee, time: report.time, clientOrderId: id, protective };
      });
    },

    /** Whether the exchange closed the position through its stop-loss or take-profit order. */
    async checkProtectiveFill(input: ProtectiveCheckInput): Promise<ProtectiveHit | null> {
      return classified(async () => {
        const hit = await executorFor(input.exchange, input.symbol).protectiveFill(input.protective);
        if (!hit || hit.avgPrice === null) return null;
        await recordOrder(input.symbol, hit, Math.floor(hit.time / 60_000) * 60_000, hit.purpose === 'sl' ? 'stop_loss' : 'take_profit');
        return { reason: hit.purpose === 'sl' ? 'stop_loss' : 'take_profit', price: hit.avgPrice, fee: hit.fee, time: hit.time };
      });
    },

    /** The exchange's side of a reconciliation (read-only: retrying is safe). */
    async readAccount(input: ReadAccountInput): Promise<AccountReading> {
      return classified(async () => {
        const executor = executorFor(input.exchange, input.symbol);
        const { qtyStep } = await executor.loadFilters();
        const snapshot = await executor.readAccount(input.protective, { fundingAfter: input.fundingAfter, now: Date.now() });
        return { snapshot, qtyStep };
      });
    },

    /**
     * An operator's adopt: the bot's own protective orders are cancelled, the exchange read, and the position found
     * there protected again (ids of this adoption's attempt, so a retry finds the orders it placed).
     */
    async adoptAccount(input: AdoptInput): Promise<AdoptResult> {
      return classified(async () => {
        const executor = executorFor(input.exchange, input.symbol);
        await executor.loadFilters();
        if (input.protective) await executor.cancelProtectiveOrders(input.protective);
        const snapshot = await executor.readAccount(null, { fundingAfter: input.fundingAfter, now: Date.now() });
        const position = snapshot.position;
        if (!input.protect || position === null) return { snapshot, protective: null };
        const id = (purpose: 'sl' | 'tp') => clientOrderId({ workflowId: input.workflowId, barOpenTime: input.barOpenTime, purpose, attempt: input.attempt });
        const protective = { sl: id('sl'), tp: id('tp') };
        const levels = protectiveLevels({ side: position.side, entryPrice: position.entryPrice }, readTradingParams(input.trading));
        const placed = await executor.placeProtectiveOrders({
          positionSide: position.side,
          qty: position.qty,
          stopPrice: levels.stop,
          takeProfitPrice: levels.take,
          clientOrderIds: protective,
        });
        await recordOrder(input.symbol, placed.stopLoss, input.barOpenTime, 'stop_loss');
        await recordOrder(input.symbol, placed.takeProfit, input.barOpenTime, 'take_profit');
        return { snapshot, protective };
      });
    },

    async recordReconciliation(input: RecordReconciliationInput): Promise<void> {
      const gauge = input.status === 'mismatch' ? 'mismatch' : input.status === 'ok' || input.status === 'explained' ? 'ok' : 'unknown';
      setReconciliationState(input.symbol, input.mode, gauge);
      await insertReconciliationEvent(db, {
        workflowId: input.workflowId,
        symbol: input.symbol,
        mode: input.mode,
        barTime: input.barTime,
        kind: input.kind,
        status: input.status,
        differences: json(input.differences),
        bot: json(input.bot),
        exchange: input.exchange === null ? null : json(input.exchange),
        recordedAt: Date.now(),
      });
    },
  };
}

/** Activity payloads are JSON already; this only tells the jsonb column so. */
const json = (value: unknown): JsonValue => JSON.parse(JSON.stringify(value)) as JsonValue;

export type ExecutionActivities = ReturnType<typeof createExecutionActivities>;
