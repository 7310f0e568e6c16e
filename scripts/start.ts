/**
 * npm start: the bot on Binance USD-M futures, paper trading unless --live. Starts (or reuses) Temporal and
 * PostgreSQL, runs the workers in this process, and starts the market-data stream, a champion model and the bot
 * (app/start-bot.ts). Ctrl-C stops the workers and the servers started here; the workflows stay in Temporal
 * and carry on, without losing a bar, at the next start.
 */
import ccxt from 'ccxt';
import { startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { startBot } from '../app/start-bot';
import { loadConfig } from '../config/load-config';
import { exchangeCredentials, loadEnvFile } from '../config/secrets';
import type { ExchangeSettings } from '../domain/exchange-settings';
import { assertLiveTradingAllowed } from '../binance/live-trading-guard';
import { createRestClient, exchangeNow, marketSymbol } from '../binance/exchange-client';
import { marketDataWorkflowId } from '../contracts/market-data';
import { statusQuery } from '../contracts/bot';
import type { BotStatus, TradingMode } from '../contracts/bot';
import { parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm start -- [options]

Runs the trading bot on Binance USD-M futures: streams the symbol's 1-minute bars, trains a champion model when
the registry has none, and decides on every closed bar, on paper unless --live is given. Temporal and PostgreSQL
are started here unless TEMPORAL_ADDRESS / DATABASE_URL are set (also read from .env); the workers run in this
process until Ctrl-C. The workflows are durable: they wait in Temporal and continue at the next npm start.

Options:
  --symbol S      Binance USD-M perpetual, e.g. ETHUSDT (default: config data.symbol)
  --live          trade real money; also needs execution.paper_trading: false in the configuration and
                  BINANCE_API_KEY / BINANCE_API_SECRET in the environment or .env
  --config FILE   configuration (default config/config.yaml, or BOT_CONFIG)
  -h, --help      this help

Operate the running bot from another terminal: npm run bot -- status|pause|resume|flatten|stop`;

const BINANCE: ExchangeSettings = { kind: 'binance' };

/** Binance answers before anything is started, so a blocked network fails here with nothing left running. */
async function checkBinanceReachable(): Promise<void> {
  const rest = createRestClient(BINANCE, null); // the server time is public: no keys involved
  try {
    await exchangeNow(rest);
  } catch (err) {
    throw new Error(binanceProblem(err));
  } finally {
    await rest.close();
  }
}

function binanceProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ccxt.NetworkError) {
    return (
      `Binance is not reachable from this machine: ${message}\n` +
      'npm start needs HTTPS access to fapi.binance.com and WebSocket access to fstream.binance.com. ' +
      'Without network access, npm run demo runs the same stack against a local replay of the shipped data.'
    );
  }
  return `Binance refused the first request: ${message}`;
}

/** Why the market-data stream has not delivered: the last failure of its activity, when Temporal has one. */
async function marketDataFailure(runtime: LocalRuntime, symbol: string): Promise<string | undefined> {
  try {
    const info = await runtime.client.workflow.getHandle(marketDataWorkflowId(symbol)).describe();
    const failure = info.raw.pendingActivities?.find((a) => a.lastFailure?.message)?.lastFailure?.message;
    return failure ?? undefined;
  } catch {
    return undefined;
  }
}

function statusLine(s: BotStatus): string {
  const p = s.position;
  const position = p === null ? 'flat' : `${p.side} ${p.qty.toFixed(4)} @ ${p.entryPrice.toFixed(2)}`;
  const bar =
    s.lastBar === null ? 'no bar yet' : `${new Date(s.lastBar.openTime).toISOString().slice(0, 16)}Z close ${s.lastBar.close.toFixed(2)} ${s.lastBar.action}`;
  const flags = `${s.paused ? '  PAUSED' : ''}${s.halted ? '  HALTED' : ''}${s.stopping ? '  STOPPING' : ''}`;
  return `bars ${s.barsProcessed}  ${bar}  ${position}  equity ${s.equity.toFixed(2)}  pnl today ${s.pnlToday.toFixed(2)}  trades ${s.tradesClosed}${flags}`;
}

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    symbol: { type: 'string' },
    live: { type: 'boolean' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return console.log(USAGE);
  loadEnvFile();
  const config = loadConfig(values.config);
  const symbol = (values.symbol ?? config.data.symbol).toUpperCase();
  try {
    marketSymbol(symbol);
  } catch (err) {
    throw new UsageError(`--symbol: ${(err as Error).message}`);
  }

  // Every opt-in of real-money trading is checked before anything is started.
  let mode: TradingMode = 'paper';
  if (values.live === true) {
    assertLiveTradingAllowed({ paperTradingConfig: config.execution.paper_trading, liveFlag: true, credentials: exchangeCredentials() });
    mode = 'live';
    console.log(`LIVE TRADING on Binance USD-M: ${symbol} with real money`);
  } else if (!config.execution.paper_trading) {
    console.log('The configuration sets execution.paper_trading: false, but --live was not given: running in paper mode.');
  }
  await checkBinanceReachable();

  const runtime = await startLocalRuntime({ log: (m) => console.log(`[infra] ${m}`) });
  let stopping: Promise<void> | undefined;
  const shutdown = () => (stopping ??= runtime.stop().catch((err: unknown) => console.error(`stopping: ${(err as Error).message}`)));
  const onSignal = () => {
    console.log('\nstopping the workers and the servers started here; the workflows stay in Temporal (npm start resumes them)');
    void shutdown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const bot = await startBot(runtime.client, runtime.database.db, {
      config,
      symbol,
      mode,
      exchange: BINANCE,
      retraining: true,
      log: (m) => console.log(m),
    }).catch(async (err: unknown) => {
      if (err instanceof ccxt.NetworkError) throw new Error(binanceProblem(err));
      const cause = await marketDataFailure(runtime, symbol);
      throw new Error(`${(err as Error).message}${cause ? `\nmarket data (${marketDataWorkflowId(symbol)}) last failed with: ${cause}` : ''}`);
    });
    const { uiUrl, namespace } = runtime.infra.temporal;
    if (uiUrl) console.log(`Web UI: ${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`Symbol="${symbol}"`)}`);
    console.log(
      `Operate it with: npm run bot -- status|pause|resume|flatten|stop${symbol === config.data.symbol ? '' : ` --symbol ${symbol}`}${mode === 'live' ? ' --mode live' : ''}`,
    );
    console.log('Ctrl-C stops this process; the bot waits in Temporal until the next npm start.');

    let lastBars = -1;
    const ticker = setInterval(() => {
      bot.query(statusQuery).then(
        (s) => {
          if (s.barsProcessed === lastBars) return;
          lastBars = s.barsProcessed;
          console.log(statusLine(s));
        },
        () => undefined, // a missed progress line is harmless
      );
    }, 60_000);
    try {
      // Runs until the bot is stopped (npm run bot -- stop) or the workers fail; Ctrl-C exits in onSignal.
      const ended = await Promise.race([bot.result().then((s) => ({ bot: s })), runtime.workersDone.then(() => ({ bot: null }))]);
      if (ended.bot === null) throw new Error('the workers stopped unexpectedly');
      console.log(`bot ${bot.workflowId} stopped: ${statusLine(ended.bot)}`);
    } finally {
      clearInterval(ticker);
    }
  } finally {
    await shutdown();
  }
}

runMain(USAGE, main);
