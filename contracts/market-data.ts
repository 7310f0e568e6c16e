/** The contract of MarketDataWorkflow with its starters (bot start, demo) and operators. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { StreamBarsResult } from '../activities/market-data-activities';
import type { ExchangeSettings } from '../domain/exchange-settings';

export interface MarketDataWorkflowInput {
  /** Exchange id, e.g. BTCUSDT. */
  readonly symbol: string;
  readonly exchange: ExchangeSettings;
  /** The rolling window kept complete (48-72 h for the features). */
  readonly historyHours: number;
  /** Length of one activity session before continue-as-new (default 12 h, at most 23 h). */
  readonly sessionHours?: number;
  /** Sessions completed by earlier runs of this workflow id (carried across continue-as-new). */
  readonly sessionsCompleted?: number;
  /** The bar-freshness watch of the previous run (carried across continue-as-new, so an outage alerts once). */
  readonly barWatch?: BarWatchState;
}

/** What the outage watch knows (workflows/market-data-outage.ts): the newest stored bar and since when. */
export interface BarWatchState {
  /** Open time of the newest stored bar at the last poll (null: none stored yet). */
  readonly lastBar: number | null;
  /** Workflow time at which lastBar was first seen: no new bar since then. */
  readonly advancedAt: number;
  /** market_data_unreachable was raised for this outage (market_data_restored follows the next new bar). */
  readonly alerted: boolean;
}

export interface MarketDataStatus {
  readonly symbol: string;
  readonly exchange: ExchangeSettings;
  readonly historyHours: number;
  /** Completed activity sessions, across continue-as-new. */
  readonly sessionsCompleted: number;
  /** The summary of the last completed session of this run (the live state is in the activity's heartbeat). */
  readonly lastSession: StreamBarsResult | null;
  readonly stopRequested: boolean;
}

export const marketDataStatusQuery = defineQuery<MarketDataStatus>('status');
/** Stops streaming (the activity is cancelled and closes its connections) and completes the workflow. */
export const stopMarketDataSignal = defineSignal('stop');

/** The conventional workflow id: one market-data stream per symbol and namespace. */
export function marketDataWorkflowId(symbol: string): string {
  return `market-data-${symbol}`;
}
