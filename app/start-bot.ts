/**
 * Starts (or finds running) everything a bot needs, in order: the market-data stream of its symbol, a champion
 * model (trained on the newest stored window when the registry has none), and TradingBotWorkflow itself.
 * Workflow ids say what they are (`market-data-BTCUSDT`, `bot-BTCUSDT-paper`); starting twice reuses them.
 */
import { botWorkflowId } from '../contracts/bot';
import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { BotConfig } from '../config/schema';
import type { Database } from '../db/client';
import { barRange } from '../db/repositories/bars';
import { liveSeries } from '../domain/markets';
import { prepareLiveAccount } from './prepare-live-account';
import { withLeverageBrackets } from '../config/leverage-brackets';
import { getChampion } from '../db/repositories/models';
import type { ExchangeSettings } from '../domain/exchange-settings';
import { TASK_QUEUES } from '../contracts/task-queues';
import { createRestClient, exchangeNow } from '../binance/exchange-client';
import { lastClosedOpenTime } from '../market-data/bar-window';
import { marketDataWorkflowId } from '../contracts/market-data';
import { MarketDataWorkflow } from '../workflows/market-data-workflow';
import { TradingBotWorkflow } from '../workflows/trading-bot-workflow';
import { TrainChampionWorkflow } from '../workflows/train-champion-workflow';
import { trainChampionWorkflowId } from '../contracts/training';
import type { BotPortfolioLink, BotRetraining, TradingMode } from '../contracts/bot';
import { retrainArgsFromConfig } from './retrain-input';
import { ensureRetrainSchedule } from './retrain-schedule';
import { tradingParamsFromConfig, trainingSpecFromConfig } from './trading-params';

export interface StartBotOptions {
  readonly config: BotConfig;
  readonly symbol: string;
  readonly mode: TradingMode;
  readonly exchange: ExchangeSettings;
  readonly maxBars?: number;
  /** How long to wait for the market-data backfill before giving up. */
  readonly backfillTimeoutMs?: number;
  readonly heartbeatTimeoutMs?: number;
  readonly barWaitMs?: number;
  /**
   * Retraining: the schedule (every training.train_freq_minutes), shadow mode and the drift / performance
   * triggers. Off unless asked for (tests of the trading loop want one fixed model).
   */
  readonly retraining?: boolean;
  /** Market speed against the wall clock (the local exchange's replay speed; 1 live): divides the schedule. */
  readonly speed?: number;
  readonly log?: (message: string) => void;
  /** A bot of a portfolio (app/start-portfolio.ts): the portfolio it asks, and its allocation as starting capital. */
  readonly portfolio?: { readonly link: BotPortfolioLink; readonly capital: number };
}

/** Bars between two drift / Sharpe measurements of the bot. */
export const MEASURE_EVERY_BARS = 15;

function botRetraining(config: BotConfig, speed: number): BotRetraining {
  const r = config.retraining;
  return {
    shadowBars: r.shadow_mode_minutes,
    measureEveryBars: MEASURE_EVERY_BARS,
    psiWindowBars: r.psi_window_minutes,
    psiThreshold: r.psi_threshold,
    sharpeThreshold: r.sharpe_threshold,
    sharpeWindowBars: r.sharpe_window_minutes,
    minIntervalBars: r.min_trigger_interval_minutes,
    retrainArgs: { ...retrainArgsFromConfig(config, { speed }) },
  };
}

/** Waits until the stored series reaches the exchange's last closed bar (the backfill is done). */
async function waitForBackfill(db: Database, symbol: string, exchange: ExchangeSettings, timeoutMs: number): Promise<number> {
  const rest = createRestClient(exchange);
  try {
    const target = lastClosedOpenTime(await exchangeNow(rest));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const range = await barRange(db, liveSeries(symbol));
      // Bars stored beyond the exchange's clock (an earlier replay of the same data) are not "now": start at the clock.
      if (range && range.last >= target) return target;
      if (Date.now() > deadline) {
        throw new Error(
          `Market data for ${symbol} has not caught up within ${timeoutMs / 1000} s (stored up to ${range ? new Date(range.last).toISOString() : 'nothing'}, exchange at ${new Date(target).toISOString()})`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await rest.close();
  }
}

export async function startBot(client: Client, db: Database, options: StartBotOptions): Promise<WorkflowHandle<typeof TradingBotWorkflow>> {
  const { config, symbol, mode, exchange } = options;
  const log = options.log ?? (() => undefined);
  const historyHours = config.data.history_hours;
  await client.workflow.start(MarketDataWorkflow, {
    taskQueue: TASK_QUEUES.trading,
    workflowId: marketDataWorkflowId(symbol),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [{ symbol, exchange, historyHours }],
  });
  log(`market data: ${marketDataWorkflowId(symbol)} streaming; waiting for the ${historyHours} h backfill`);
  const lastStored = await waitForBackfill(db, symbol, exchange, options.backfillTimeoutMs ?? 120_000);

  let champion = (await getChampion(db, symbol))?.version;
  if (!champion) {
    log('model registry has no champion: training one on the newest window');
    const trained = await client.workflow.execute(TrainChampionWorkflow, {
      taskQueue: TASK_QUEUES.trading,
      workflowId: trainChampionWorkflowId(symbol, lastStored),
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      args: [
        {
          symbol,
          historyMinutes: historyHours * 60,
          training: trainingSpecFromConfig(config),
        },
      ],
    });
    champion = trained.version;
  }
  log(`champion model: ${champion}`);

  // Liquidation follows the symbol's leverage brackets: the account's own when live, the shipped ones on paper.
  const params = { ...tradingParamsFromConfig(config), ...(options.portfolio ? { startingCapital: options.portfolio.capital } : {}) };
  let trading = withLeverageBrackets(params, symbol);
  if (mode === 'live') {
    const account = await prepareLiveAccount(exchange, symbol, config.execution.leverage);
    log(`exchange account: ${account.positionMode} position mode, ${account.marginMode} margin, leverage ${account.leverage}x`);
    trading = withLeverageBrackets(params, symbol, account.brackets);
  }
  const handle = await client.workflow.start(TradingBotWorkflow, {
    taskQueue: TASK_QUEUES.trading,
    workflowId: botWorkflowId(symbol, mode),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [
      {
        symbol,
        mode,
        exchange,
        trading,
        historyMinutes: historyHours * 60,
        championVersion: champion,
        startAfter: lastStored,
        barWaitMs: options.barWaitMs ?? 55_000,
        staleAfterBars: 2,
        reconcileEveryBars: config.execution.reconcile_every_bars,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 20_000,
        barsPerRun: 500,
        ...(options.maxBars !== undefined ? { maxBars: options.maxBars } : {}),
        ...(options.portfolio ? { portfolio: options.portfolio.link } : {}),
        ...(options.retraining ? { retraining: botRetraining(config, options.speed ?? 1) } : {}),
      },
    ],
  });
  if (options.retraining) {
    await ensureRetrainSchedule(client, {
      symbol,
      botWorkflowId: handle.workflowId,
      everyMinutes: config.training.train_freq_minutes,
      speed: options.speed ?? 1,
      args: retrainArgsFromConfig(config, { speed: options.speed ?? 1 }),
      paused: false,
    });
    log(`retraining: schedule retrain-${symbol} every ${config.training.train_freq_minutes} min of market time, drift/performance triggers on`);
  }
  log(`bot: ${handle.workflowId} trading from the bar after ${new Date(lastStored).toISOString()}`);
  return handle;
}
