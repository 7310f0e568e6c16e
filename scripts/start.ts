/**
 * npm start: the bot on Binance USD-M futures, paper trading unless --live. Starts (or reuses) Temporal and
 * PostgreSQL, runs the workers in this process, and starts the market-data stream, a champion model and the bot
 * (app/start-bot.ts). It rides out outages of Temporal and PostgreSQL (the servers it started are restarted,
 * app/supervise-infra.ts). Ctrl-C, SIGTERM (to node or to npm) or SIGHUP stops the workers and then the servers
 * started here; the workflows are durable by design: they stay in Temporal and carry on, without losing a bar,
 * at the next start.
 */
import ccxt from 'ccxt';
import { installQuietRuntime, startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { durableResult, rideOut } from '../app/ride-out';
import { startBot } from '../app/start-bot';
import { staysInTemporalLine } from '../app/stop-demo';
import { tolerateClosedChannels, watchStopRequests } from '../app/stop-requests';
import { loadConfig } from '../config/load-config';
import { exchangeCredentials, loadEnvFile, testnetCredentials } from '../config/secrets';
import type { ExchangeSettings } from '../domain/exchange-settings';
import { assertLiveTradingAllowed } from '../binance/live-trading-guard';
import { createRestClient, exchangeNow, marketSymbol } from '../binance/exchange-client';
import { marketDataWorkflowId } from '../contracts/market-data';
import { botWorkflowId, statusQuery } from '../contracts/bot';
import { temporalSettings } from '../infra/temporal';
import type { BotStatus, TradingMode } from '../contracts/bot';
import { dashboardEnv, dashboardOptionsFromEnv, type DashboardOptions } from '../dashboard/options';
import { startEmbeddedDashboard } from '../dashboard/embedded';
import type { Dashboard } from '../dashboard/server';
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
  --testnet       rehearse live trading on Binance's USD-M Demo Trading (the futures testnet's successor; ccxt's
                  demo mode): live mode with no real money, keys from BINANCE_TESTNET_API_KEY / _SECRET
  --config FILE   configuration (default config/config.yaml, or BOT_CONFIG)
  -h, --help      this help

Operate the running bot from another terminal: npm run bot -- status|pause|resume|flatten|stop`;

const MAINNET: ExchangeSettings = { kind: 'binance' };
const TESTNET: ExchangeSettings = { kind: 'binance', testnet: true };
let BINANCE: ExchangeSettings = MAINNET;

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
    testnet: { type: 'boolean' },
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
  if (values.live === true && values.testnet === true) throw new UsageError('--live and --testnet exclude each other: --testnet alone rehearses live mode');
  if (values.testnet === true) {
    BINANCE = TESTNET;
    if (testnetCredentials() === null)
      throw new UsageError('--testnet needs BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_API_SECRET in the environment or .env');
    mode = 'live';
    console.log(`LIVE MODE on Binance USD-M Demo Trading (testnet, no real money): ${symbol}`);
  } else if (values.live === true) {
    assertLiveTradingAllowed({ paperTradingConfig: config.execution.paper_trading, liveFlag: true, credentials: exchangeCredentials() });
    mode = 'live';
    console.log(`LIVE TRADING on Binance USD-M: ${symbol} with real money`);
  } else if (!config.execution.paper_trading) {
    console.log('The configuration sets execution.paper_trading: false, but --live was not given: running in paper mode.');
  }
  await checkBinanceReachable();

  let dashboardOptions: DashboardOptions;
  try {
    dashboardOptions = dashboardOptionsFromEnv(dashboardEnv());
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // This process owns the signals (and notices when its npm is gone), so the stop is always done in order.
  installQuietRuntime({ shutdownSignals: [] });
  const stops = watchStopRequests();
  const runtime = await startLocalRuntime({ log: (m) => console.log(`[infra] ${m}`) });
  const { watch } = runtime;
  const dashboard: Dashboard | null = await startEmbeddedDashboard(runtime, dashboardOptions, (m) => console.log(m));
  let ticker: NodeJS.Timeout | undefined;
  let botEnded = false;
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) =>
    (stopping ??= (async () => {
      const started = Date.now();
      clearInterval(ticker);
      console.log(`${why}: stopping the workers, then the servers started here`);
      await dashboard?.close().catch(() => undefined);
      tolerateClosedChannels();
      await runtime.stop().catch((err: unknown) => console.error(`stopping: ${(err as Error).message}`));
      const servers = [runtime.infra.temporal.startedHere ? 'the Temporal server' : '', runtime.infra.postgres.startedHere ? 'PostgreSQL' : ''].filter(Boolean);
      console.log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s: workers${servers.length > 0 ? `, ${servers.join(', ')}` : ''}`);
      const names = [...(botEnded ? [] : [botWorkflowId(symbol, mode)]), marketDataWorkflowId(symbol), `schedule retrain-${symbol}`];
      const kept = runtime.infra.temporal.startedHere ? `, kept in ${temporalSettings().dbFile}` : '';
      console.log(staysInTemporalLine(names, `durable by design${kept}: they wait for workers, and npm start picks them up again`));
      stops.dispose();
    })());

  const run = (async () => {
    const bot = await rideOut(
      () =>
        startBot(runtime.client, runtime.database.db, {
          config,
          symbol,
          mode,
          exchange: BINANCE,
          retraining: true,
          log: (m) => console.log(m),
        }),
      { watch, cancelled: () => stopping !== undefined },
    ).catch(async (err: unknown) => {
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
    ticker = setInterval(() => {
      if (!watch.isUp('temporal')) return;
      runtime.client.connection
        .withDeadline(Date.now() + 10_000, () => bot.query(statusQuery))
        .then(
          (s) => {
            if (s.barsProcessed === lastBars) return;
            lastBars = s.barsProcessed;
            console.log(statusLine(s));
          },
          () => undefined, // a missed progress line is harmless
        );
    }, 60_000);
    // Runs until the bot is stopped (npm run bot -- stop), however long Temporal is away meanwhile.
    const final = await durableResult<BotStatus>(runtime.client, bot.workflowId, { watch, cancelled: () => stopping !== undefined });
    botEnded = true;
    console.log(`bot ${bot.workflowId} stopped: ${statusLine(final)}`);
  })();
  const outcome = await Promise.race([
    run.then(
      () => ({ kind: 'done' as const }),
      (err: unknown) => ({ kind: 'failed' as const, err }),
    ),
    stops.requested.then((request) => ({ kind: 'stop' as const, request })),
    runtime.workersDone.then(() => ({ kind: 'failed' as const, err: new Error('the workers stopped unexpectedly') })),
  ]);
  if (outcome.kind === 'stop') {
    await shutdown(outcome.request.reason);
    process.exit(outcome.request.exitCode);
  }
  await shutdown(outcome.kind === 'done' ? 'the bot has stopped' : 'error');
  if (outcome.kind === 'failed') throw outcome.err;
}

runMain(USAGE, main);
