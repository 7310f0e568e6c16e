/**
 * TradingBotWorkflow: one per symbol and mode. For every closed bar, in order and none skipped: wait for it and get
 * the champion's prediction (activity), run the shared decision step (domain/trading/bar-step.ts, the same code the
 * backtest replays), and record the decision, equity and trades (local activity). Operators pause, resume,
 * flatten and stop it with signals (or the `operate` update, which answers with the new status).
 *
 * Paper mode simulates fills with the shared engine: an order decided at the close of bar t fills at the open of
 * bar t+1, the first price traded after it was placed; stops and take-profits against each bar's high/low.
 */
import { BAR_MS } from '../domain/bars';
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
  ParentClosePolicy,
  startChild,
  CancellationScope,
  isCancellation,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_KEYS } from '../contracts/search-attributes';
import { TASK_QUEUES } from '../contracts/task-queues';
import {
  decide,
  decisionAction,
  decisionReason,
  flatten,
  initialState,
  openBar,
  pause,
  resume,
  settleIntent,
  SIMULATED,
  type BarFills,
  type Decision,
  type Execution,
  type TraderState,
} from '../domain/trading';
import type { BotActivities } from '../activities/bot-activities';
import type { ExecutionActivities } from '../activities/execution-activities';
import type { MonitoringActivities } from '../activities/monitoring-activities';
import type { RegistryActivities } from '../activities/registry-activities';
import { retrainTrigger, rollingSharpeOf } from '../model/retrain-triggers';
import { RetrainWorkflow } from './retrain-workflow';
import { retrainWorkflowId } from '../contracts/retrain';
import type { Bar } from '../domain/bars';
import {
  endShadowSignal,
  flattenSignal,
  OPERATOR_COMMANDS,
  operateUpdate,
  pauseSignal,
  resumeSignal,
  setChampionSignal,
  startShadowSignal,
  statusQuery,
  stopSignal,
  type BarSummary,
  type BotCarried,
  type BotInput,
  type BotStatus,
  type OperatorCommand,
} from '../contracts/bot';

const DAY_MS = 86_400_000;

function checkInput(input: BotInput): void {
  const problems: string[] = [];
  if (!/^[A-Z0-9]{2,20}$/.test(input.symbol)) problems.push(`symbol '${input.symbol}' is not a Binance symbol`);
  if (input.mode !== 'paper' && input.mode !== 'live') problems.push(`mode must be paper or live (got '${String(input.mode)}')`);
  if (input.startAfter % BAR_MS !== 0) problems.push(`startAfter must be a bar open time (got ${input.startAfter})`);
  if (!(input.barWaitMs >= 1000)) problems.push(`barWaitMs must be >= 1000 (got ${input.barWaitMs})`);
  if (!(input.barsPerRun >= 10)) problems.push(`barsPerRun must be >= 10 (got ${input.barsPerRun})`);
  if (!input.championVersion) problems.push('championVersion is required');
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`Invalid bot input: ${problems.join('; ')}`, 'InvalidBotInput');
}

export async function TradingBotWorkflow(input: BotInput): Promise<BotStatus> {
  checkInput(input);
  const { workflowId } = workflowInfo();
  const carried: BotCarried = input.carried ?? {
    trader: initialState(input.trading, input.startAfter + BAR_MS),
    lastBarTime: input.startAfter,
    champion: input.championVersion,
    barsProcessed: 0,
    tradesClosed: 0,
    lastBar: null,
    stopRequested: false,
    protective: null,
    challenger: null,
    equityWindow: [],
    lastTriggerAt: null,
    retrainsTriggered: 0,
    lastDrift: null,
    rollingSharpe: null,
  };
  let trader: TraderState = carried.trader;
  let lastBarTime = carried.lastBarTime;
  let champion = carried.champion;
  let barsProcessed = carried.barsProcessed;
  let tradesClosed = carried.tradesClosed;
  let lastBar: BarSummary | null = carried.lastBar;
  let stopRequested = carried.stopRequested;
  let protective = carried.protective;
  let challenger = carried.challenger;
  let equityWindow: number[] = [...carried.equityWindow];
  let lastTriggerAt = carried.lastTriggerAt;
  let pendingChampion: string | null = null;
  let lastDrift = carried.lastDrift;
  let rollingSharpe = carried.rollingSharpe;
  let retrainsTriggered = carried.retrainsTriggered;
  let barsThisRun = 0;
  const retraining = input.retraining;

  const { awaitBar } = proxyActivities<BotActivities>({
    taskQueue: TASK_QUEUES.trading,
    startToCloseTimeout: input.barWaitMs + 60_000,
    heartbeatTimeout: input.heartbeatTimeoutMs,
    // Waiting and predicting are read-only: retrying is always safe.
    retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
  });
  const { setModelStatus } = proxyActivities<RegistryActivities>({
    taskQueue: TASK_QUEUES.trading,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5 },
  });
  const { measureDrift } = proxyActivities<MonitoringActivities>({
    taskQueue: TASK_QUEUES.trading,
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  });
  const { recordBar } = proxyLocalActivities<BotActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
  });

  // Orders must never be sent twice by a retry storm: few attempts, spaced wider than the exchange's recvWindow,
  // so a lost answer is looked up (by client order id) after the original request can no longer arrive.
  const { executeLiveIntent, checkProtectiveFill } = proxyActivities<ExecutionActivities>({
    taskQueue: TASK_QUEUES.trading,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '7 seconds', backoffCoefficient: 1.5, maximumAttempts: 4 },
  });

  let orderFailed = false;
  let waitScope: CancellationScope | null = null;
  /** The fills inside the bar: simulated (paper) or the exchange's own stop-loss / take-profit fills (live). */
  const fillsIn = async (): Promise<BarFills> => {
    if (input.mode !== 'live') return SIMULATED;
    const exit = trader.position && protective ? await checkProtectiveFill({ symbol: input.symbol, exchange: input.exchange, protective }) : null;
    if (exit) protective = null;
    return { source: 'exchange', exit };
  };
  /** Paper: the intent fills at the next bar's open (simulated). Live: the order is sent now, at the close. */
  const execute = async (bar: Bar, decision: Decision): Promise<Execution> => {
    if (input.mode !== 'live' || decision.intent === null) return SIMULATED;
    const position = decision.state.position;
    try {
      const fill = await executeLiveIntent({
        workflowId,
        symbol: input.symbol,
        exchange: input.exchange,
        decisionBarTime: bar.openTime,
        intent: decision.intent,
        position: position ? { side: position.side, qty: position.qty, protective } : null,
        trading: input.trading,
      });
      protective = fill.protective;
      return { source: 'exchange', price: fill.price, qty: fill.qty, fee: fill.fee };
    } catch (err) {
      // A refused order (margin, minimum notional...) is dropped; the next bar decides again.
      const error = err instanceof Error ? err.message : String(err);
      log.error('order failed; intent dropped', { intent: decision.intent, error });
      orderFailed = true;
      return { source: 'refused', error };
    }
  };

  const status = (): BotStatus => {
    const p = trader.position;
    return {
      symbol: input.symbol,
      mode: input.mode,
      position: p ? { side: p.side, qty: p.qty, entryPrice: p.entryPrice, entryTime: p.entryTime, modelVersion: p.modelVersion } : null,
      pending: trader.pending ? (trader.pending.type === 'CLOSE' ? `CLOSE (${trader.pending.reason})` : trader.pending.type) : null,
      equity: trader.lastEquity,
      pnlToday: trader.lastEquity - trader.dayOpenEquity,
      dayOpenEquity: trader.dayOpenEquity,
      modelVersion: champion,
      paused: trader.paused,
      halted: trader.halted,
      lastBar,
      barsProcessed,
      tradesClosed,
      stopping: stopRequested,
      challenger,
      lastDrift,
      rollingSharpe,
      retrainsTriggered,
    };
  };
  const apply = (command: OperatorCommand): void => {
    log.info('operator command', { command });
    if (command === 'pause') trader = pause(trader);
    else if (command === 'resume') trader = resume(trader);
    else if (command === 'flatten') trader = flatten(trader);
    else {
      stopRequested = true;
      // Do not sit out the current bar wait (up to barWaitMs) when no bar comes.
      waitScope?.cancel();
    }
  };
  setHandler(pauseSignal, () => apply('pause'));
  setHandler(resumeSignal, () => apply('resume'));
  setHandler(flattenSignal, () => apply('flatten'));
  setHandler(stopSignal, () => apply('stop'));
  const validVersion = (version: unknown, what: string): version is string => {
    if (typeof version === 'string' && /^[A-Za-z0-9._:-]{1,120}$/.test(version)) return true;
    log.warn(`${what} ignored: not a model version`, { version: String(version) });
    return false;
  };
  // Applied at the next bar (through the registry activity), never in the middle of one.
  setHandler(setChampionSignal, (version: string) => {
    if (validVersion(version, 'setChampion')) pendingChampion = version;
  });
  setHandler(startShadowSignal, (version: string) => {
    if (!validVersion(version, 'startShadow')) return;
    challenger = { version, barsLeft: retraining?.shadowBars ?? 5 };
    log.info('shadow mode started', { challenger: version });
  });
  setHandler(endShadowSignal, () => {
    challenger = null;
  });
  setHandler(statusQuery, status);
  setHandler(
    operateUpdate,
    (command) => {
      apply(command);
      return status();
    },
    {
      validator: (command: unknown) => {
        if (typeof command !== 'string' || !(OPERATOR_COMMANDS as readonly string[]).includes(command))
          throw new Error(`unknown command '${String(command)}' (${OPERATOR_COMMANDS.join(', ')})`);
      },
    },
  );
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTE_KEYS.Symbol, value: input.symbol },
    { key: SEARCH_ATTRIBUTE_KEYS.TradingMode, value: input.mode },
    { key: SEARCH_ATTRIBUTE_KEYS.ModelVersion, value: champion },
    { key: SEARCH_ATTRIBUTE_KEYS.WorkflowKind, value: 'trading' },
  ]);

  const done = () => stopRequested || (input.maxBars !== undefined && barsProcessed >= input.maxBars);

  /** Drift and rolling Sharpe every few bars; a trigger starts RetrainWorkflow (one per symbol at a time). */
  const monitor = async (openTime: number): Promise<void> => {
    if (!retraining || barsProcessed % retraining.measureEveryBars !== 0) return;
    rollingSharpe = rollingSharpeOf(equityWindow, retraining.sharpeWindowBars);
    try {
      lastDrift = await measureDrift({
        symbol: input.symbol,
        modelVersion: champion,
        openTime,
        psiWindowBars: retraining.psiWindowBars,
        sharpe: rollingSharpe,
        sharpeWindowBars: retraining.sharpeWindowBars,
      });
    } catch (err) {
      // Monitoring must never stop trading: this measurement is skipped, the next one comes in a few bars.
      log.warn('drift measurement failed', { error: err instanceof Error ? err.message : String(err) });
      return;
    }
    const trigger = retrainTrigger(retraining, { maxPsi: lastDrift, sharpe: rollingSharpe }, lastTriggerAt === null ? null : barsProcessed - lastTriggerAt);
    if (!trigger || challenger) return;
    // The interval counts from every trigger, also one skipped because a retrain is already running: a busy
    // symbol is not asked again at every measurement.
    lastTriggerAt = barsProcessed;
    const detail = trigger.reason === 'drift' ? { feature: trigger.feature, psi: trigger.psi } : { sharpe: trigger.sharpe };
    try {
      await startChild(RetrainWorkflow, {
        workflowId: retrainWorkflowId(input.symbol),
        taskQueue: TASK_QUEUES.trading,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ ...retraining.retrainArgs, symbol: input.symbol, reason: trigger.reason, detail, botWorkflowId: workflowId }],
      });
      retrainsTriggered += 1;
      log.info('retrain triggered', { reason: trigger.reason, ...detail });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      log.info('retrain trigger skipped: a retrain of this symbol is already running', { reason: trigger.reason });
    }
  };

  while (!done()) {
    if (pendingChampion !== null) {
      const version = pendingChampion;
      pendingChampion = null;
      // The registry follows the bot: the swap is recorded here, in the bot's history, then in the table.
      try {
        await setModelStatus({ version, status: 'champion' });
        log.info('champion swapped; the open position is kept', { from: champion, to: version });
        champion = version;
        if (challenger?.version === version) challenger = null;
        upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.ModelVersion, value: champion }]);
      } catch (err) {
        // A bad version (unknown, a backtest model) must not stop the bot: it keeps trading its champion.
        log.error('setChampion refused; the champion stays', { version, error: err instanceof Error ? err.message : String(err) });
      }
    }
    const openTime = lastBarTime + BAR_MS;
    const scope = new CancellationScope();
    waitScope = scope;
    let arrival;
    try {
      arrival = await scope.run(() =>
        awaitBar({
          symbol: input.symbol,
          openTime,
          modelVersion: champion,
          challengerVersion: challenger?.version ?? null,
          historyMinutes: input.historyMinutes,
          waitMs: input.barWaitMs,
        }),
      );
    } catch (err) {
      if (stopRequested && isCancellation(err)) break;
      throw err;
    } finally {
      waitScope = null;
    }
    if (arrival.bar === null) {
      // Not there yet: the market-data workflow backfills any gap, and the loop waits again (never skips a bar).
      if (workflowInfo().continueAsNewSuggested) break;
      continue;
    }
    const bar = arrival.bar;
    // Late-bar policy: on a stale bar (newer bars already exist) no new position is opened; exits still act.
    const stale = arrival.barsBehind >= input.staleAfterBars;
    const prediction = stale && trader.position === null ? null : arrival.prediction;
    const before = trader;
    orderFailed = false;
    const opened = openBar(trader, bar, input.trading, await fillsIn());
    const decision = decide(opened.state, { bar, prediction, modelVersion: champion }, input.trading);
    const step = settleIntent(opened, decision, bar, input.trading, await execute(bar, decision));
    trader = step.state;
    lastBarTime = bar.openTime;
    barsProcessed += 1;
    barsThisRun += 1;
    tradesClosed += step.trades.length;
    for (const e of step.events) if (e.type === 'kill_switch') log.warn('kill switch fired: position closes, no entries until the next UTC day', { event: e });
    const action = decisionAction(step.intent);
    const reason = decisionReason({
      orderFailed,
      stale,
      killSwitchFired: before.halted !== trader.halted && trader.halted,
      paused: trader.paused,
      halted: trader.halted,
      hasPrediction: arrival.prediction !== null,
    });
    lastBar = { openTime: bar.openTime, close: bar.close, prediction: arrival.prediction, stale, action };
    // Only bars newer than the challenger's training count towards its shadow (a lagging bot replays older ones).
    if (challenger && arrival.challengerPrediction !== null && arrival.barsBehind === 0) {
      challenger = challenger.barsLeft > 1 ? { ...challenger, barsLeft: challenger.barsLeft - 1 } : null;
    }
    if (retraining) {
      equityWindow.push(trader.lastEquity);
      if (equityWindow.length > retraining.sharpeWindowBars) equityWindow = equityWindow.slice(-retraining.sharpeWindowBars);
    }
    await recordBar({
      workflowId,
      symbol: input.symbol,
      mode: input.mode,
      bar,
      modelVersion: champion,
      prediction: arrival.prediction,
      action,
      reason,
      barsBehind: arrival.barsBehind,
      trader,
      trades: step.trades,
      handedAt: arrival.handedAt,
    });
    await monitor(bar.openTime);
    if (barsThisRun >= input.barsPerRun || workflowInfo().continueAsNewSuggested) break;
  }

  if (!done()) {
    // Handlers must finish before the run ends so no operator command is lost across continue-as-new.
    await condition(allHandlersFinished);
    if (pendingChampion !== null) {
      try {
        await setModelStatus({ version: pendingChampion, status: 'champion' });
        champion = pendingChampion;
      } catch (err) {
        log.error('setChampion refused; the champion stays', { version: pendingChampion, error: err instanceof Error ? err.message : String(err) });
      }
    }
    const next: BotCarried = {
      trader,
      lastBarTime,
      champion,
      barsProcessed,
      tradesClosed,
      lastBar,
      stopRequested,
      protective,
      challenger,
      equityWindow,
      lastTriggerAt,
      retrainsTriggered,
      lastDrift,
      rollingSharpe,
    };
    return continueAsNew<typeof TradingBotWorkflow>({ ...input, carried: next });
  }
  await condition(allHandlersFinished);
  log.info('bot stopped', { barsProcessed, equity: trader.lastEquity, days: Math.floor((lastBarTime - input.startAfter) / DAY_MS) });
  return status();
}
