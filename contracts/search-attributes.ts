// Custom search attributes the workflows set, so runs can be found in the Web UI and with list filters
// (e.g. `Symbol = 'BTCUSDT' AND TradingMode = 'paper'`). Pure data: workflows and infra import the same keys.
import type { SearchAttributeType } from '@temporalio/common';

/** Same shape as the SDK's SearchAttributeKey<T> (which @temporalio/common does not export by name). */
export interface SearchAttributeDefinition {
  readonly name: string;
  readonly type: SearchAttributeType;
}

/** Typed keys, usable directly in `upsertSearchAttributes([{ key, value }])` and `typedSearchAttributes`. */
export const SEARCH_ATTRIBUTE_KEYS = {
  /** Exchange symbol a workflow works on, e.g. BTCUSDT. */
  Symbol: { name: 'Symbol', type: 'KEYWORD' },
  /** paper | live | backtest. */
  TradingMode: { name: 'TradingMode', type: 'KEYWORD' },
  /** Registry id of the champion model a bot trades with, or the model a retrain produced. */
  ModelVersion: { name: 'ModelVersion', type: 'KEYWORD' },
  /** Id of the backtest run a workflow belongs to. */
  BacktestRun: { name: 'BacktestRun', type: 'KEYWORD' },
  /** trading | retrain | backtest | market-data | portfolio: lets one filter pick a kind of workflow across symbols. */
  WorkflowKind: { name: 'WorkflowKind', type: 'KEYWORD' },
  /** Live bots: ok | explained | mismatch | unreadable (how the exchange compares with the bot's state). */
  Reconciliation: { name: 'Reconciliation', type: 'KEYWORD' },
} as const satisfies Record<string, SearchAttributeDefinition>;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTE_KEYS;
