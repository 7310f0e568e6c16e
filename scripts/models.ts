/**
 * npm run models -- list|show <version>|promote <version>|rollback: the model registry for operators.
 * list and show read PostgreSQL only. promote and rollback go through the running bot (signal setChampion): the
 * bot records the swap in its history, keeps its position, and sets the registry status itself; this command then
 * waits until both the bot and the registry show the new champion. It never starts servers.
 */
import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { botWorkflowId } from '../contracts/bot';
import { loadConfig } from '../config/load-config';
import { loadEnvFile } from '../config/secrets';
import { openDatabase, type Database } from '../db/client';
import { lastRetired } from '../db/repositories/model-history';
import { getChampion, getModel, listModels, type ModelSummary } from '../db/repositories/models';
import { modelStatus, type ModelRow, type ModelStatus } from '../db/schema';
import { featureReferenceSchema } from '../model/psi';
import { postgresStatus, temporalStatus } from '../infra';
import { embeddedUrl, postgresSettings } from '../infra/postgres';
import { LOCALHOST } from '../infra/processes';
import { temporalSettings } from '../infra/temporal';
import { setChampionSignal, statusQuery } from '../contracts/bot';
import type { BotStatus, TradingMode } from '../contracts/bot';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm run models -- <command> [options]   (or: npx tsx scripts/models.ts <command>)

Commands:
  list               the symbol's models, newest training window first: version, status, window, metrics, created
  show <version>     one model: metrics, parameters, top 10 feature importance, PSI reference
  promote <version>  make it the champion of the running bot (signal setChampion; the open position is kept)
                     and wait until the bot and the registry show it
  rollback           promote the model retired most recently (the champion before the current one)

Options:
  --symbol S           symbol (default: config data.symbol)
  --mode paper|live    the bot to signal (default paper)
  --status S           list: only models with this status (${modelStatus.enumValues.join(', ')})
  --limit N            list: at most N models (default 20)
  --all                list: include models trained inside backtests
  --timeout SECONDS    promote/rollback: how long to wait for the swap (default 180: the bot swaps before its next bar)
  --json               print JSON instead of text
  --config FILE        configuration, for the default symbol (default config/config.yaml)
  -h, --help           this help

The registry is PostgreSQL: DATABASE_URL (also read from .env), else the local embedded server (PGPORT_EMBEDDED,
default 5433). The bot runs in Temporal: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE, else the local server
(TEMPORAL_PORT, default 7233). Start them with npm start, npm run demo or npm run infra -- up.`;

const COMMANDS = ['list', 'show', 'promote', 'rollback'] as const;
type Command = (typeof COMMANDS)[number];

/** How long a query may wait for a worker to answer. */
const ANSWER_TIMEOUT_MS = 15_000;
const POLL_MS = 500;

interface Request {
  readonly command: Command;
  readonly version: string | undefined;
  readonly symbol: string;
  /** True when --symbol was given (promote then refuses another symbol's model instead of assuming it). */
  readonly symbolGiven: boolean;
  readonly mode: TradingMode;
  readonly status: ModelStatus | undefined;
  readonly limit: number;
  readonly all: boolean;
  readonly timeoutMs: number;
  readonly json: boolean;
}

function parseRequest(argv: string[]): Request | 'help' {
  const { values, positionals } = parseCli(
    argv,
    {
      symbol: { type: 'string' },
      mode: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      all: { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) return 'help';
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError(`missing command (one of ${COMMANDS.join(', ')})`);
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command '${command}' (expected one of ${COMMANDS.join(', ')})`);
  const takesVersion = command === 'show' || command === 'promote';
  const [version, ...extra] = rest;
  if (takesVersion && version === undefined) throw new UsageError(`${command} needs a model version (see npm run models -- list)`);
  const unexpected = takesVersion ? extra : rest;
  if (unexpected.length > 0) throw new UsageError(`unexpected argument${unexpected.length > 1 ? 's' : ''}: ${unexpected.join(' ')}`);
  const mode = values.mode ?? 'paper';
  if (mode !== 'paper' && mode !== 'live') throw new UsageError(`--mode must be paper or live (got '${mode}')`);
  const status = values.status;
  if (status !== undefined && !(modelStatus.enumValues as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${modelStatus.enumValues.join(', ')} (got '${status}')`);
  }
  if (command !== 'list' && (status !== undefined || values.limit !== undefined || values.all))
    throw new UsageError('--status, --limit and --all only apply to list');
  if (command !== 'promote' && command !== 'rollback' && values.timeout !== undefined) throw new UsageError('--timeout only applies to promote and rollback');
  const limit = numberOption('limit', values.limit) ?? 20;
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer (got ${values.limit})`);
  const timeout = numberOption('timeout', values.timeout) ?? 180;
  if (!(timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds (got ${values.timeout})`);
  const symbol = (values.symbol ?? loadConfig(values.config).data.symbol).toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(symbol)) throw new UsageError(`--symbol must be a Binance symbol like BTCUSDT (got '${symbol}')`);
  return {
    command: command as Command,
    version: takesVersion ? version : undefined,
    symbol,
    symbolGiven: values.symbol !== undefined,
    mode,
    status: status as ModelStatus | undefined,
    limit,
    all: values.all === true,
    timeoutMs: timeout * 1000,
    json: values.json === true,
  };
}

// ---- connections (never started here) ---------------------------------------------------------------------

async function openRegistry(): Promise<{ db: Database; close: () => Promise<void> }> {
  const probe = await postgresStatus();
  if (!probe.running)
    throw new Error(`no PostgreSQL to read the model registry from (${probe.summary}); start it with npm start, npm run demo or npm run infra -- up`);
  const settings = postgresSettings();
  const handle = openDatabase(settings.externalUrl ?? embeddedUrl(settings.port, settings.database), { max: 2 });
  try {
    await handle.sql`select 1 from models limit 1`;
  } catch (err) {
    await handle.close();
    throw new Error(`the database has no model registry (${(err as Error).message}); create it with npm run setup`);
  }
  return { db: handle.db, close: () => handle.close() };
}

async function connectTemporal(): Promise<{ client: Client; close: () => Promise<void> }> {
  const settings = temporalSettings();
  const probe = await temporalStatus();
  if (!probe.running)
    throw new Error(`no Temporal server running (${probe.summary}), so no bot to promote through; start the bot with npm start or npm run demo`);
  const address = settings.externalAddress ?? `${LOCALHOST}:${settings.port}`;
  const connection = await Connection.connect({ address, connectTimeout: 10_000 });
  return { client: new Client({ connection, namespace: settings.namespace }), close: () => connection.close() };
}

// ---- text output ------------------------------------------------------------------------------------------

const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}`;
const num = (x: unknown, digits = 4) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-');

function metricsSummary(m: ModelSummary['metrics']): string {
  const ratio = typeof m.baselineRmse === 'number' && m.baselineRmse > 0 ? m.rmse / m.baselineRmse : undefined;
  return `rmse/base ${num(ratio)}  DA ${num(m.directionalAccuracy, 3)}  IC ${num(m.ic, 3)}  sharpe ${num(m.validSharpe, 2)}`;
}

function listText(symbol: string, rows: readonly ModelSummary[]): string {
  if (rows.length === 0) return `no models of ${symbol} in the registry`;
  const lines = rows.map(
    (r) =>
      `${r.version.padEnd(32)} ${r.status.padEnd(9)} ${when(r.trainStart)} -> ${when(r.trainEnd)}  ${metricsSummary(r.metrics)}  created ${when(r.createdAt)}${r.purpose === 'backtest' ? '  (backtest)' : ''}`,
  );
  return [`${'version'.padEnd(32)} ${'status'.padEnd(9)} ${'training window (UTC)'.padEnd(38)}validation metrics`, ...lines].join('\n');
}

function topImportance(row: ModelRow, n = 10): { feature: string; gain: number; share: number }[] {
  const entries = Object.entries(row.featureImportance);
  const total = entries.reduce((s, [, g]) => s + g, 0);
  return entries
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([feature, gain]) => ({ feature, gain, share: total > 0 ? gain / total : 0 }));
}

/** The PSI reference in brief: rows, and per feature its bins and cut range. */
function psiSummary(row: ModelRow) {
  const parsed = featureReferenceSchema.safeParse(row.featureReference);
  if (!parsed.success) return { valid: false as const, problem: parsed.error.issues[0]?.message ?? 'invalid' };
  return {
    valid: true as const,
    nRows: parsed.data.nRows,
    features: parsed.data.features.map((f) => ({
      feature: f.feature,
      bins: f.expected.length,
      firstCut: f.cuts[0] ?? null,
      lastCut: f.cuts[f.cuts.length - 1] ?? null,
    })),
  };
}

function showText(row: ModelRow): string {
  const psi = psiSummary(row);
  const lines = [
    `${row.version}  (${row.symbol}, ${row.purpose})`,
    `  status     ${row.status} since ${when(row.statusChangedAt)} UTC`,
    `  created    ${when(row.createdAt)} UTC`,
    `  trained on ${when(row.trainStart)} -> ${when(row.trainEnd)} UTC, horizon ${row.horizon} min`,
    '  metrics',
    ...Object.entries(row.metrics).map(([k, v]) => `    ${k.padEnd(20)} ${typeof v === 'number' ? String(Number(v.toPrecision(6))) : JSON.stringify(v)}`),
    '  params',
    ...JSON.stringify(row.params, null, 2)
      .split('\n')
      .map((l) => `    ${l}`),
    '  feature importance (gain, top 10)',
    ...topImportance(row).map((f) => `    ${f.feature.padEnd(16)} ${f.gain.toExponential(3).padStart(10)}  ${(f.share * 100).toFixed(1).padStart(5)} %`),
    psi.valid ? `  PSI reference: ${psi.nRows} training rows, ${psi.features.length} features` : `  PSI reference: not valid (${psi.problem})`,
    ...(psi.valid
      ? psi.features.map((f) => `    ${f.feature.padEnd(16)} ${String(f.bins).padStart(2)} bins, cuts ${num(f.firstCut, 6)} .. ${num(f.lastCut, 6)}`)
      : []),
  ];
  return lines.join('\n');
}

// ---- commands ---------------------------------------------------------------------------------------------

/** The model to promote, refused with the reason when it cannot serve this symbol's bot. */
async function promotable(db: Database, version: string, request: Request): Promise<ModelRow> {
  const row = await getModel(db, version);
  if (row === null) throw new Error(`unknown model version '${version}' (npm run models -- list shows the registry)`);
  if (row.purpose !== 'live') throw new Error(`model ${version} was trained inside a backtest and cannot serve a bot; promote a live model`);
  if (row.symbol !== request.symbol) {
    const hint = request.symbolGiven ? '' : ` (add --symbol ${row.symbol} to promote it for its own symbol's bot)`;
    throw new Error(`model ${version} is a ${row.symbol} model, not ${request.symbol}${hint}`);
  }
  return row;
}

interface PromoteReport {
  readonly version: string;
  readonly previous: string;
  readonly bot: string;
  readonly waitedMs: number;
  readonly alreadyChampion: boolean;
}

async function promoteThroughBot(db: Database, row: ModelRow, request: Request): Promise<PromoteReport> {
  const { client, close } = await connectTemporal();
  try {
    const workflowId = botWorkflowId(request.symbol, request.mode);
    const handle: WorkflowHandle = client.workflow.getHandle(workflowId);
    const info = await handle.describe().catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError)
        throw new Error(
          `no bot '${workflowId}' in Temporal: start it with npm start${request.mode === 'live' ? ' -- --live' : ''} (promotion goes through the running bot)`,
        );
      throw err;
    });
    if (info.status.name !== 'RUNNING') throw new Error(`bot ${workflowId} is not running (${info.status.name}); start it again, then promote`);
    const query = async (): Promise<BotStatus> => {
      const deadline = Date.now() + ANSWER_TIMEOUT_MS;
      try {
        return await client.withDeadline(deadline, () => handle.query(statusQuery));
      } catch (err) {
        if (Date.now() >= deadline - 100)
          throw new Error(`bot ${workflowId} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s: are its workers running?`, { cause: err });
        throw err;
      }
    };
    const before = await query();
    const registryChampion = async () => (await getChampion(db, request.symbol))?.version ?? null;
    if (before.modelVersion === row.version && (await registryChampion()) === row.version) {
      return { version: row.version, previous: row.version, bot: workflowId, waitedMs: 0, alreadyChampion: true };
    }
    await handle.signal(setChampionSignal, row.version);
    const started = Date.now();
    for (;;) {
      const [bot, registry] = [(await query()).modelVersion, await registryChampion()];
      if (bot === row.version && registry === row.version)
        return { version: row.version, previous: before.modelVersion, bot: workflowId, waitedMs: Date.now() - started, alreadyChampion: false };
      if (Date.now() - started > request.timeoutMs) {
        throw new Error(
          `${workflowId} got setChampion(${row.version}) but after ${request.timeoutMs / 1000} s the bot trades ${bot} and the registry's champion is ${registry ?? 'none'}; ` +
            'the bot applies it before its next bar: check that its market data flows (npm run bot -- status)',
        );
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    await close();
  }
}

function printPromotion(report: PromoteReport, request: Request, what: string): void {
  if (request.json) return console.log(JSON.stringify({ command: request.command, ...report }));
  if (report.alreadyChampion) return console.log(`${report.version} already is the champion of ${report.bot}`);
  console.log(`${what}: ${report.bot} now trades ${report.version} (was ${report.previous}); registry updated; took ${(report.waitedMs / 1000).toFixed(1)} s`);
}

async function run(request: Request): Promise<void> {
  const { db, close } = await openRegistry();
  try {
    if (request.command === 'list') {
      const rows = await listModels(db, {
        symbol: request.symbol,
        limit: request.limit,
        ...(request.all ? {} : { purpose: 'live' as const }),
        ...(request.status ? { status: request.status } : {}),
      });
      if (request.json) return console.log(JSON.stringify(rows.map(({ featureReference: _ref, ...r }) => r)));
      return console.log(listText(request.symbol, rows));
    }
    if (request.command === 'show') {
      const row = await getModel(db, request.version!);
      if (row === null) throw new Error(`unknown model version '${request.version}' (npm run models -- list shows the registry)`);
      if (request.json) {
        const { modelText: _text, featureReference: _ref, ...rest } = row;
        return console.log(JSON.stringify({ ...rest, featureImportanceTop10: topImportance(row), psiReference: psiSummary(row) }));
      }
      return console.log(showText(row));
    }
    if (request.command === 'promote') {
      const row = await promotable(db, request.version!, request);
      return printPromotion(await promoteThroughBot(db, row, request), request, 'promoted');
    }
    const previous = await lastRetired(db, request.symbol);
    if (previous === null) throw new Error(`no retired ${request.symbol} model to roll back to (a model is retired when another replaces it as champion)`);
    const row = await promotable(db, previous.version, request);
    printPromotion(await promoteThroughBot(db, row, request), request, 'rolled back');
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  loadEnvFile(); // DATABASE_URL, TEMPORAL_ADDRESS, BOT_CONFIG… may come from .env
  const request = parseRequest(process.argv.slice(2));
  if (request === 'help') return console.log(USAGE);
  await run(request);
}

runMain(USAGE, main);
