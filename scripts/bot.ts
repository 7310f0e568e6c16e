/**
 * npm run bot -- status|pause|resume|flatten|adopt|stop: operates a running bot (TradingBotWorkflow `bot-<SYMBOL>-<mode>`)
 * through Temporal; `status` without --symbol shows the mode's portfolio (PortfolioWorkflow) when there is one. It never starts servers: it talks to TEMPORAL_ADDRESS, or to the local server `npm start`,
 * `npm run demo` or `npm run infra -- up` started.
 */
import { pauseRetrainSchedule, resumeRetrainSchedule } from '../app/retrain-schedule';
import { Client, Connection, WorkflowNotFoundError, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { botWorkflowId } from '../contracts/bot';
import { loadConfig } from '../config/load-config';
import { loadEnvFile } from '../config/secrets';
import { temporalStatus } from '../infra';
import { LOCALHOST } from '../infra/processes';
import { temporalSettings } from '../infra/temporal';
import { marketDataWorkflowId, stopMarketDataSignal } from '../contracts/market-data';
import { operateUpdate, statusQuery, type OperatorCommand } from '../contracts/bot';
import type { BotStatus, TradingMode } from '../contracts/bot';
import { parseCli, runMain, UsageError } from './lib/cli';
import { printPortfolioStatus, resumePortfolio, stopPortfolio } from './lib/portfolio-cli';
import { signed, when } from './lib/portfolio-status-text';

const USAGE = `Usage: npm run bot -- <command> [options]   (or: npx tsx scripts/bot.ts <command>)

Commands:
  status    position, equity, P&L today, model, paused/halted, last bar, bars processed, trades; without
            --symbol, while a portfolio of the mode runs (several symbols): the portfolio (equity, P&L
            today, halt, positions and exposure against their caps, each symbol's book, refusals), then
            one line per bot
  pause     no new entries; an open position keeps its stop-loss and take-profit
  resume    trade again (also lifts a kill-switch halt)
  flatten   close the open position at the next bar (does not pause); live, while the exchange disagrees with
            the bot: close the position the exchange holds
  adopt     live: the exchange's position and balance become the bot's (after a reconciliation mismatch), its
            stop-loss and take-profit placed again; entries resume
  stop      stop the bot after the bar in progress, and its symbol's market-data stream
  retrain-pause / retrain-resume
            pause or resume the symbol's retrain schedule (Temporal Schedule retrain-<SYMBOL>)
  portfolio-resume
            lift the portfolio kill switch of the mode (portfolio-<mode>); bots halted by their own
            kill switch stay halted (resume each one)
  portfolio-stop
            stop every bot of the portfolio, their market data and retrain schedules, then the portfolio

Options:
  --symbol S           symbol of the bot (default: config data.symbol; status without it shows the portfolio if any)
  --mode paper|live    which bot of the symbol (default paper)
  --keep-market-data   with stop: leave the market-data stream running
  --json               print JSON instead of text
  --config FILE        configuration, for the default symbol (default config/config.yaml)
  -h, --help           this help

The bot runs in Temporal: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (also read from .env), else the local server
started by npm start, npm run demo or npm run infra -- up (TEMPORAL_PORT, default 7233).`;

const COMMANDS = ['status', 'pause', 'resume', 'flatten', 'adopt', 'stop', 'retrain-pause', 'retrain-resume', 'portfolio-resume', 'portfolio-stop'] as const;
type Command = (typeof COMMANDS)[number];

/** How long a query or update may wait for a worker to answer. */
const ANSWER_TIMEOUT_MS = 15_000;

interface Request {
  readonly command: Command;
  readonly symbol: string;
  readonly mode: TradingMode;
  readonly json: boolean;
  readonly keepMarketData: boolean;
  /** --symbol given: status shows that bot even when a portfolio runs. */
  readonly symbolGiven: boolean;
  /** The configuration's symbol (what npm start trades without --symbol). */
  readonly defaultSymbol: string;
  /** The configuration trades several symbols: a closed portfolio still answers `status` (how it ended). */
  readonly portfolioConfigured: boolean;
}

function parseRequest(argv: string[]): Request | 'help' {
  const { values, positionals } = parseCli(
    argv,
    {
      symbol: { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'boolean' },
      'keep-market-data': { type: 'boolean' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) return 'help';
  const [command, ...extra] = positionals;
  if (command === undefined) throw new UsageError(`missing command (one of ${COMMANDS.join(', ')})`);
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command '${command}' (expected one of ${COMMANDS.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')}`);
  const mode = values.mode ?? 'paper';
  if (mode !== 'paper' && mode !== 'live') throw new UsageError(`--mode must be paper or live (got '${mode}')`);
  if (values['keep-market-data'] && command !== 'stop') throw new UsageError('--keep-market-data only applies to the stop command');
  if (values.symbol !== undefined && command.startsWith('portfolio-')) throw new UsageError(`--symbol does not apply to ${command} (one portfolio per mode)`);
  const { symbol: defaultSymbol, symbols: configured } = loadConfig(values.config).data;
  const symbol = (values.symbol ?? defaultSymbol).toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(symbol)) throw new UsageError(`--symbol must be a Binance symbol like BTCUSDT (got '${symbol}')`);
  return {
    command: command as Command,
    symbol,
    mode,
    json: values.json === true,
    keepMarketData: values['keep-market-data'] === true,
    symbolGiven: values.symbol !== undefined,
    defaultSymbol,
    portfolioConfigured: configured.length > 1,
  };
}

/** A client of the running server; refuses to go on (and never starts one) when none answers. */
async function connect(): Promise<{ client: Client; close: () => Promise<void> }> {
  const settings = temporalSettings();
  const probe = await temporalStatus();
  if (!probe.running) throw new Error(`no Temporal server running; start the bot with npm start or npm run demo\n  Temporal: ${probe.summary}`);
  const address = settings.externalAddress ?? `${LOCALHOST}:${settings.port}`;
  const connection = await Connection.connect({ address, connectTimeout: 10_000 });
  return { client: new Client({ connection, namespace: settings.namespace }), close: () => connection.close() };
}

/** How an operator starts the bot this request is about. */
function startCommand(request: Request): string {
  const args = [request.mode === 'live' ? '--live' : '', request.symbol === request.defaultSymbol ? '' : `--symbol ${request.symbol}`].filter((a) => a !== '');
  const start = args.length === 0 ? 'npm start' : `npm start -- ${args.join(' ')}`;
  return request.mode === 'paper' && args.length === 0 ? `${start} (or npm run demo, the offline replay)` : start;
}

/** The workflow's description, or a clear error naming the id and how to start the bot. */
async function describe(handle: WorkflowHandle, request: Request): Promise<WorkflowExecutionDescription> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new Error(`no bot workflow '${handle.workflowId}' in Temporal; start it with ${startCommand(request)}`);
    }
    throw err;
  }
}

/** Queries and updates need a worker to answer: without one they would hang, so they get a deadline and a hint. */
async function answered<T>(client: Client, what: string, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  try {
    return await client.withDeadline(deadline, call);
  } catch (err) {
    if (Date.now() >= deadline - 100) {
      throw new Error(
        `${what}: no worker answered within ${ANSWER_TIMEOUT_MS / 1000} s; are the bot's workers running (npm start, or npm run worker:trading)?`,
        { cause: err },
      );
    }
    throw err;
  }
}

function stateText(s: BotStatus, execution: string): string {
  if (execution !== 'RUNNING') return `stopped (workflow ${execution})`;
  const parts = [
    s.paused ? 'paused (no new entries)' : '',
    s.halted ? 'halted by the kill switch until the next UTC day (resume lifts it)' : '',
    s.stopping ? 'stopping' : '',
    s.reconciliation !== null && ['unchecked', 'mismatch', 'unreadable'].includes(s.reconciliation.status) ? 'entries halted: unreconciled' : '',
  ].filter((p) => p !== '');
  return parts.length === 0 ? 'trading' : parts.join(', ');
}

function monitorsText(s: BotStatus): string {
  const drift = s.lastDrift === null ? 'drift -' : `drift PSI ${s.lastDrift.psi.toFixed(3)} (${s.lastDrift.feature})`;
  const sharpe = `rolling Sharpe ${s.rollingSharpe === null ? '-' : s.rollingSharpe.toFixed(2)}`;
  return `${drift}  ${sharpe}  retrains triggered ${s.retrainsTriggered}`;
}

function reconciliationText(s: BotStatus): string {
  const r = s.reconciliation;
  if (r === null) return '- (paper mode)';
  const checked = r.checkedAt === null ? 'not yet' : `after bar ${when(r.checkedAt)}`;
  const head = `${r.status}, checked ${checked}${r.resolving ? `, ${r.resolving} pending` : ''}${r.error ? `: ${r.error}` : ''}`;
  const lines = r.differences.map(
    (d) => `\n             ${d.explained ? 'explained' : 'UNEXPLAINED'} ${d.field}: bot ${d.bot}, exchange ${d.exchange} (${d.note})`,
  );
  const hint = r.status === 'mismatch' ? '\n             resolve with: npm run bot -- adopt --mode live  (or flatten)' : '';
  return head + lines.join('') + hint;
}

/** The operator's view of one bot. */
function statusBlock(workflowId: string, execution: string, s: BotStatus): string {
  const p = s.position;
  const position = p === null ? 'flat' : `${p.side} ${p.qty.toFixed(4)} @ ${p.entryPrice.toFixed(2)} since ${when(p.entryTime)} (model ${p.modelVersion})`;
  const pnlPct = s.dayOpenEquity > 0 ? ` (${signed((s.pnlToday / s.dayOpenEquity) * 100)} %)` : '';
  const b = s.lastBar;
  const lastBar =
    b === null
      ? 'none yet'
      : `${when(b.openTime)}  close ${b.close.toFixed(2)}  prediction ${b.prediction === null ? '-' : `${signed(b.prediction * 1e4)} bp`}  ${b.action}${b.stale ? '  (stale)' : ''}`;
  const rows: [string, string][] = [
    ['state', stateText(s, execution)],
    ['position', position],
    ['pending', s.pending ?? '-'],
    ['equity', `${s.equity.toFixed(2)} USDT`],
    ['pnl today', `${signed(s.pnlToday)} USDT${pnlPct}`],
    ['model', s.modelVersion],
    ['last bar', lastBar],
    ['bars', `${s.barsProcessed} processed`],
    ['trades', `${s.tradesClosed} closed`],
    ['shadow', s.challenger === null ? '-' : `${s.challenger.version} (${s.challenger.barsLeft} bars left)`],
    ['monitors', monitorsText(s)],
    ['exchange', reconciliationText(s)],
  ];
  return [`${workflowId}  (${s.mode}, ${s.symbol}; workflow ${execution})`, ...rows.map(([k, v]) => `  ${k.padEnd(10)} ${v}`)].join('\n');
}

/** The final status of a closed bot: its result when it completed, else why it ended. */
async function closedStatus(handle: WorkflowHandle, info: WorkflowExecutionDescription): Promise<BotStatus | null> {
  if (info.status.name !== 'COMPLETED') return null;
  return (await handle.result()) as BotStatus;
}

function closedNote(info: WorkflowExecutionDescription): string {
  return `workflow ${info.workflowId} is closed (${info.status.name}${info.closeTime ? ` at ${info.closeTime.toISOString()}` : ''})`;
}

/** Stops the symbol's market-data stream unless the other mode's bot still trades on it. */
async function stopMarketData(client: Client, request: Request): Promise<string> {
  const other = request.mode === 'paper' ? 'live' : 'paper';
  const otherId = botWorkflowId(request.symbol, other);
  const otherRunning = await client.workflow
    .getHandle(otherId)
    .describe()
    .then((d) => d.status.name === 'RUNNING')
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    });
  const id = marketDataWorkflowId(request.symbol);
  if (otherRunning) return `kept ${id} running: ${otherId} still trades on it`;
  const handle = client.workflow.getHandle(id);
  try {
    const info = await handle.describe();
    if (info.status.name !== 'RUNNING') return `${id} was not running (${info.status.name})`;
    await handle.signal(stopMarketDataSignal);
    return `${id} stopped`;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return `${id} was not running (no such workflow)`;
    throw err;
  }
}

async function run(request: Request): Promise<void> {
  const { client, close } = await connect();
  try {
    if (request.command === 'retrain-pause' || request.command === 'retrain-resume') {
      const change = request.command === 'retrain-pause' ? pauseRetrainSchedule : resumeRetrainSchedule;
      if (!(await change(client, request.symbol)))
        throw new Error(`${request.symbol} has no retrain schedule (retrain-${request.symbol}); npm start or npm run demo create it`);
      console.log(`retrain-${request.symbol} ${request.command === 'retrain-pause' ? 'paused' : 'resumed'}`);
      return;
    }
    const portfolio = { mode: request.mode, json: request.json, answerMs: ANSWER_TIMEOUT_MS, includeClosed: request.portfolioConfigured };
    if (request.command === 'portfolio-resume') return await resumePortfolio(client, portfolio);
    if (request.command === 'portfolio-stop') return await stopPortfolio(client, portfolio);
    if (request.command === 'status' && !request.symbolGiven && (await printPortfolioStatus(client, portfolio))) return;
    const workflowId = botWorkflowId(request.symbol, request.mode);
    const handle = client.workflow.getHandle(workflowId);
    const info = await describe(handle, request);
    const running = info.status.name === 'RUNNING';
    const print = (status: BotStatus | null, extra: Record<string, string> = {}) => {
      if (request.json) {
        console.log(JSON.stringify({ workflowId, command: request.command, execution: info.status.name, ...extra, status }));
        return;
      }
      if (status !== null) console.log(statusBlock(workflowId, info.status.name, status));
      for (const line of Object.values(extra)) console.log(line);
    };

    if (request.command === 'status') {
      if (running) return print(await answered(client, `status of ${workflowId}`, () => handle.query(statusQuery)));
      // A closed bot still shows how it ended; the process succeeds because the status was reported.
      return print(await closedStatus(handle, info), { note: closedNote(info) });
    }
    if (!running) throw new Error(`cannot ${request.command}: ${closedNote(info)}; start it again with ${startCommand(request)}`);
    const command: OperatorCommand = request.command;
    const status = await answered(client, `${command} of ${workflowId}`, () => handle.executeUpdate(operateUpdate, { args: [command] }));
    if (command !== 'stop') return print(status);
    const note = 'stop requested: the bot finishes once the bar in progress is handled (or its wait for it ends)';
    const marketData = request.keepMarketData
      ? `kept ${marketDataWorkflowId(request.symbol)} running (--keep-market-data)`
      : await stopMarketData(client, request);
    // No retrains for a stopped bot; `npm start` / `npm run demo` update and resume the schedule.
    const paused = await pauseRetrainSchedule(client, request.symbol, `paused: ${workflowId} stopped`);
    print(status, { note, marketData, retrainSchedule: paused ? `paused retrain-${request.symbol}` : 'no retrain schedule' });
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  loadEnvFile(); // TEMPORAL_ADDRESS, BOT_CONFIG… may come from .env
  const request = parseRequest(process.argv.slice(2));
  if (request === 'help') return console.log(USAGE);
  await run(request);
}

runMain(USAGE, main);
