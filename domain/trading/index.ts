/** The trading-rules engine of docs/strategy.md, shared by the backtest, the paper bot and the live bot. */
export {
  DEFAULT_TRADING_PARAMS,
  assertTradingParams,
  readTradingParams,
  type LegacyTradingParams,
  type StoredTradingParams,
  type TradingParams,
} from './params';
export {
  initialState,
  type CloseReason,
  EXIT_REASONS,
  SIDES,
  type ExitReason,
  type ProtectiveExitReason,
  type OrderIntent,
  type Position,
  type Side,
  type Trade,
  type TraderCounters,
  type TraderState,
} from './state';
export type { EngineEvent } from './events';
export {
  BPS,
  closingOrder,
  direction,
  entryQuantity,
  equityAt,
  openingOrder,
  protectiveLevels,
  slippedPrice,
  takerFee,
  unrealisedPnl,
  ORDER_SIDES,
  type OrderSide,
} from './pricing';
export { decide, type DecideInput, type Decision } from './decide';
export { applyFunding, fundingByMinute, fundingMinute, fundingPayment, payFunding, type FundingApplied, type FundingRate } from './funding';
export {
  bankruptcyPrice,
  bracketFor,
  liquidatesAt,
  liquidationConfigProblem,
  marginTerms,
  stopBeyondLiquidation,
  type LeverageBracket,
  type MarginTerms,
} from './margin';
export {
  applyFill,
  checkProtective,
  cooldownAllows,
  fillAtOpen,
  fillForIntent,
  finish,
  liquidateAtOpen,
  protectiveExit,
  type AppliedFill,
  type BarResult,
  type Fill,
} from './fills';
export { DECISION_REASONS, decisionAction, decisionReason, type DecisionAction, type DecisionReason } from './decision-record';
export { clearIntent, flatten, pause, resume } from './operator';
export { simulate, type SimulationResult } from './simulate';
export {
  SIMULATED,
  lastStep,
  openBar,
  processBar,
  settleIntent,
  stepBar,
  type BarFills,
  type BarOpened,
  type BarStepInput,
  type BarStepResult,
  type EquityPoint,
  type ExchangeExit,
  type Execution,
  type StepInput,
  type StepResult,
} from './bar-step';
export {
  MINUTES_PER_YEAR,
  equityReturns,
  maxDrawdown,
  performanceMetrics,
  rollingSharpe,
  sharpeRatio,
  sortinoRatio,
  type PerformanceMetrics,
  type TradeOutcome,
} from './performance';
export {
  adoptPosition,
  bookCash,
  reconcile,
  type AccountSnapshot,
  type BalanceBaseline,
  type BotAccountView,
  type Difference,
  type DifferenceField,
  type ExchangePositionView,
  type ProtectiveOrderState,
  type ReconcileResult,
  type ReconcileTolerances,
  type ReconciliationStatus,
} from './reconcile';
