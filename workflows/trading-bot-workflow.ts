/**
 * TradingBotWorkflow: one per symbol and mode. For every closed bar, in order and none skipped: wait for it and get
 * the champion's prediction (activity), run the shared decision step (domain/trading/bar-step.ts, the same code the
 * backtest replays), and record the decision, equity and trades (local activity). Operators pause, resume,
 * flatten and stop it with signals (or the `operate` update, which answers with the new status).
 *
 * Where orders go (paper: simulated at the next bar's open; live: the exchange) is bot-execution.ts; a portfolio's
 * bot asks before it enters (bot-portfolio.ts); live reconciliation is bot-reconciliation.ts.
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
  CancellationScope,
  isCancellation,
  patched,
} from '@temporalio/workflow';
import { SEARCH_ATTRIBUTE_KEYS } from '../contracts/search-attributes';
import { TASK_QUEUES } from '../contracts/task-queues';
import { decide, openBar, readTradingParams, settleIntent } from '../domain/trading';
import { createExecution } from './bot-execution';
import type { BotActivities } from '../activities/bot-activities';
import type { RegistryActivities } from '../activities/registry-activities';
import {
  adoptSignal,
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
  type BotInput,
  type BotStatus,
  type OperatorCommand,
} from '../contracts/bot';
import { readAlertSettings } from './alerting';
import { createBotAlerts, type BotAlerts } from './bot-alerts';
import { createMonitor } from './bot-monitoring';
import { createReconciler } from './bot-reconciliation';
import { createPortfolioLink } from './bot-portfolio';
import { applyPortfolioVerdict } from '../domain/portfolio/bot-side';
import {
  applyCommand,
  applyCommands,
  barProcessed,
  botStatus,
  carriedState,
  championSwapped,
  endShadow,
  entriesHeld,
  initialBotState,
  isDone,
  isModelVersion,
  isStale,
  reconciliationDue,
  startShadow,
  type BotState,
} from './trading-bot-state';

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
  // Runs started by older versions carry the legacy field names; every run after this one carries the current ones.
  const trading = readTradingParams(input.trading);
  let state: BotState = initialBotState(input);
  // Live runs recorded before reconciliation existed replay without it.
  if (state.reconciliation !== null && !patched('reconciliation')) state = { ...state, reconciliation: null };
  const retraining = input.retraining;
  /** Created once the alert settings are read (after the handlers are set, so no early command is refused). */
  let alerts: BotAlerts | null = null;
  const reconciler = createReconciler(input, workflowId, trading, (kind, barTime, detail) => alerts?.reconciliation(kind, barTime, detail));
  const monitor = createMonitor(input, workflowId);
  const portfolio = createPortfolioLink(input, trading, input.carried?.portfolioInbox ?? []);
  const bookPortfolio = async (before: number): Promise<void> => {
    const booking = portfolio === null ? null : await portfolio.dueBefore(before);
    if (booking !== null) state = { ...state, trader: applyPortfolioVerdict(state.trader, booking) };
  };

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
  const { recordBar } = proxyLocalActivities<BotActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
  });

  const execution = createExecution(input, workflowId, trading);
  let waitScope: CancellationScope | null = null;

  const status = (): BotStatus => botStatus(input, state, waitScope !== null);
  /** Commands received while a step computes the next state from an older one: applied again on its result. */
  let received: OperatorCommand[] | null = null;
  const apply = (command: OperatorCommand): void => {
    log.info('operator command', { command });
    state = applyCommand(state, command);
    received?.push(command);
    if (command === 'pause') alerts?.paused();
    if (command === 'resume') alerts?.resumed();
    // Do not sit out the current bar wait (up to barWaitMs) when no bar comes; an adopt runs at once too.
    if (command === 'stop' || state.reconciliation?.resolving) waitScope?.cancel();
  };
  const stepFrom = async (body: (from: BotState) => Promise<BotState>): Promise<void> => {
    received = [];
    try {
      const next = await body(state);
      state = applyCommands(next, received);
    } finally {
      received = null;
    }
  };
  setHandler(pauseSignal, () => apply('pause'));
  setHandler(resumeSignal, () => apply('resume'));
  setHandler(flattenSignal, () => apply('flatten'));
  setHandler(stopSignal, () => apply('stop'));
  setHandler(adoptSignal, () => apply('adopt'));
  const validVersion = (version: unknown, what: string): version is string => {
    if (isModelVersion(version)) return true;
    log.warn(`${what} ignored: not a model version`, { version: String(version) });
    return false;
  };
  // Applied at the next bar (through the registry activity), never in the middle of one.
  setHandler(setChampionSignal, (version: string) => {
    if (validVersion(version, 'setChampion')) state = { ...state, pendingChampion: version };
  });
  setHandler(startShadowSignal, (version: string) => {
    if (!validVersion(version, 'startShadow')) return;
    state = startShadow(state, version, retraining?.shadowBars ?? 5);
    log.info('shadow mode started', { challenger: version });
  });
  setHandler(endShadowSignal, () => {
    state = endShadow(state);
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
    { key: SEARCH_ATTRIBUTE_KEYS.ModelVersion, value: state.champion },
    { key: SEARCH_ATTRIBUTE_KEYS.WorkflowKind, value: 'trading' },
  ]);
  alerts = createBotAlerts(input, trading, await readAlertSettings());
  alerts.started(state.champion);

  while (!isDone(input, state)) {
    // Live: an operator's adopt or flatten of a disagreeing exchange, then the check at start (and after failures).
    if (state.reconciliation?.resolving) await stepFrom((s) => reconciler.resolve(s));
    if (state.reconciliation?.checkedAt === null) await stepFrom((s) => reconciler.check(s));
    const version = state.pendingChampion;
    if (version !== null) {
      state = { ...state, pendingChampion: null };
      // The registry follows the bot: the swap is recorded here, in the bot's history, then in the table.
      try {
        await setModelStatus({ version, status: 'champion' });
        log.info('champion swapped; the open position is kept', { from: state.champion, to: version });
        state = championSwapped(state, version);
        upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.ModelVersion, value: state.champion }]);
      } catch (err) {
        // A bad version (unknown, a backtest model) must not stop the bot: it keeps trading its champion.
        log.error('setChampion refused; the champion stays', { version, error: err instanceof Error ? err.message : String(err) });
      }
    }
    const openTime = state.lastBarTime + BAR_MS;
    const scope = new CancellationScope();
    waitScope = scope;
    let arrival;
    try {
      arrival = await scope.run(() =>
        awaitBar({
          symbol: input.symbol,
          openTime,
          modelVersion: state.champion,
          challengerVersion: state.challenger?.version ?? null,
          historyMinutes: input.historyMinutes,
          waitMs: input.barWaitMs,
          ...(input.mode === 'paper' ? { fundingFrom: input.exchange } : {}),
        }),
      );
    } catch (err) {
      if (state.stopRequested && isCancellation(err)) break;
      if (state.reconciliation?.resolving && isCancellation(err)) continue;
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
    // The portfolio's transfer and halt of earlier minutes, booked before this bar opens (as the portfolio backtest does).
    await bookPortfolio(bar.openTime);
    // Stale bars open nothing; an exchange that disagrees with the bot (live) gets no entries and no signal exits.
    const held = entriesHeld(state);
    const prediction = held || (isStale(input, arrival) && state.trader.position === null) ? null : arrival.prediction;
    const before = state;
    received = [];
    const fills = await execution.fillsIn(state);
    // The exchange's stop or take-profit filled: its orders are gone.
    if (fills.source === 'exchange' && fills.exit) state = { ...state, protective: null };
    // Paper pays the settled funding at the bar's open; live books what the exchange booked (reconciliation).
    const opened = openBar(before.trader, bar, trading, fills, input.mode === 'paper' ? (arrival.funding ?? null) : null);
    const decision = decide(opened.state, { bar, prediction, modelVersion: state.champion }, trading);
    // A bot of a portfolio asks before it enters; a refused entry is settled like a refused order, never sent.
    const refusal = portfolio === null ? null : await portfolio.ask(bar, decision, prediction);
    const sent = refusal === null ? await execution.execute(state, bar, decision) : null;
    if (sent?.protective !== undefined) state = { ...state, protective: sent.protective };
    const orderError = sent?.error ?? null;
    const step = settleIntent(opened, decision, bar, trading, sent?.execution ?? { source: 'refused', error: refusal! });
    const booked = barProcessed(input, { ...state, trader: before.trader }, bar, arrival, step, orderError !== null, refusal);
    alerts?.bar({ barOpenTime: bar.openTime, before: before.trader, step, orderError, intent: decision.intent?.type ?? null });
    state = applyCommands(booked.state, received);
    received = null;
    for (const e of step.events) if (e.type === 'kill_switch') log.warn('kill switch fired: position closes, no entries until the next UTC day', { event: e });
    await recordBar({
      workflowId,
      symbol: input.symbol,
      mode: input.mode,
      bar,
      modelVersion: state.champion,
      prediction: arrival.prediction,
      action: booked.action,
      reason: booked.reason,
      barsBehind: arrival.barsBehind,
      trader: state.trader,
      trades: step.trades,
      handedAt: arrival.handedAt,
    });
    await stepFrom((from) => monitor(from, bar.openTime));
    if (reconciliationDue(input, state)) await stepFrom((s) => reconciler.check(s));
    if (state.barsThisRun >= input.barsPerRun || workflowInfo().continueAsNewSuggested) break;
  }

  // The last minute's verdict belongs to this run's book (bounded by the verdict timeout).
  await bookPortfolio(state.lastBarTime + BAR_MS);
  if (!isDone(input, state)) {
    // Handlers must finish before the run ends so no operator command is lost across continue-as-new.
    await condition(allHandlersFinished);
    const version = state.pendingChampion;
    if (version !== null) {
      try {
        await setModelStatus({ version, status: 'champion' });
        state = { ...state, champion: version };
      } catch (err) {
        log.error('setChampion refused; the champion stays', { version, error: err instanceof Error ? err.message : String(err) });
      }
    }
    await alerts?.settled();
    const carried = carriedState(state);
    return continueAsNew<typeof TradingBotWorkflow>({
      ...input,
      trading,
      carried: portfolio === null ? carried : { ...carried, portfolioInbox: portfolio.inbox() },
    });
  }
  await condition(allHandlersFinished);
  alerts?.stopped(state.stopRequested ? 'stop requested' : `maxBars (${input.maxBars}) reached`);
  await alerts?.settled();
  log.info('bot stopped', {
    barsProcessed: state.barsProcessed,
    equity: state.trader.lastEquity,
    days: Math.floor((state.lastBarTime - input.startAfter) / DAY_MS),
  });
  return status();
}
