/**
 * npm run sweep -- --grid key=values ... | show <id> | config <id> <rank> | follow <id> | cancel <id>.
 * A parameter sweep on Temporal (SweepWorkflow): one walk-forward per model group, every trading-only combination
 * replayed over its stored predictions, ranked in-sample and reported on the held-out end of the test.
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadConfig } from '../config/load-config';
import { installQuietRuntime, startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { buildSweepRequest, combinationConfig } from '../app/sweep-plan';
import { followSweep, progressText, readSweepSummary, startSweep, sweepDir } from '../app/sweep-run';
import { newRunId } from '../app/backtest-request';
import { getSweep } from '../db/repositories/sweeps';
import { SELECT_METRICS, sweepWorkflowId, type SelectMetric, type SweepSummary } from '../contracts/sweep';
import { gridCombinations, parseGrid } from '../domain/sweep/grid';
import { randomCombinations } from '../domain/sweep/random-search';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm run sweep -- --grid KEY=V1,V2 [--grid KEY=FROM:TO:STEP ...] [options]
       npm run sweep -- show <id> | config <id> <rank> [--out F.yaml] | follow <id> | cancel <id>

Options:
  --grid KEY=VALUES      any configuration key; a list (4,6,8) or a range from:to:step (both ends included)
  --search grid|random   every combination (default) or --trials N of them drawn with --seed S
  --trials N  --seed S
  --select-on M          ranking metric, in-sample: ${SELECT_METRICS.join('|')} (default sharpe)
  --holdout-fraction F   last share of the test period held out (default 0.3)
  --max-parallel N       model groups (walk-forwards) at a time (default 2)
  --data F --funding G --symbol S --start T --train-hours N --test-hours N --retrain-minutes N  as npm run backtest
  --config FILE          base configuration (default config/config.yaml)
  --id ID                sweep id (default: UTC time + random suffix)
  --dry-run              validate and print the plan only
  --detach               start and return; follow re-attaches
  -h, --help`;

const OPTIONS = {
  grid: { type: 'string', multiple: true },
  search: { type: 'string' },
  trials: { type: 'string' },
  seed: { type: 'string' },
  'select-on': { type: 'string' },
  'holdout-fraction': { type: 'string' },
  'max-parallel': { type: 'string' },
  data: { type: 'string' },
  funding: { type: 'string' },
  symbol: { type: 'string' },
  start: { type: 'string' },
  'train-hours': { type: 'string' },
  'test-hours': { type: 'string' },
  'retrain-minutes': { type: 'string' },
  config: { type: 'string' },
  id: { type: 'string' },
  out: { type: 'string' },
  'dry-run': { type: 'boolean' },
  detach: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const log = (m: string) => console.error(`[infra] ${m}`);

async function withRuntime<T>(workers: boolean, body: (runtime: LocalRuntime) => Promise<T>): Promise<T> {
  const runtime = await startLocalRuntime({ log, workers });
  try {
    return await body(runtime);
  } finally {
    await runtime.stop();
  }
}

function printSummary(s: SweepSummary): void {
  console.log(`Sweep ${s.sweepId}: ${s.combinations} combinations. Top (in-sample / held-out):`);
  for (const r of s.top) console.log(`  ${String(r.rank).padStart(3)}  ${JSON.stringify(r.values)}  ${String(r.inSample)} / ${String(r.heldOut)}`);
  console.log(`Files: ${s.outDir}`);
}

function selectMetric(text: string | undefined): SelectMetric {
  const m = text ?? 'sharpe';
  if (!(SELECT_METRICS as readonly string[]).includes(m)) throw new UsageError(`--select-on must be one of ${SELECT_METRICS.join(', ')} (got '${m}')`);
  return m as SelectMetric;
}

async function run(values: ReturnType<typeof parseCli<typeof OPTIONS>>['values']): Promise<void> {
  const base = loadConfig(values.config);
  const axes = parseGrid(values.grid ?? []);
  const search = values.search ?? 'grid';
  if (search !== 'grid' && search !== 'random') throw new UsageError(`--search must be grid or random (got '${search}')`);
  const combinations =
    search === 'random'
      ? randomCombinations(axes, numberOption('trials', values.trials) ?? Number.NaN, numberOption('seed', values.seed) ?? 1)
      : gridCombinations(axes);
  const request = await buildSweepRequest(base, {
    sweepId: values.id ?? newRunId(),
    axes,
    combinations,
    search,
    selectOn: selectMetric(values['select-on']),
    holdoutFraction: numberOption('holdout-fraction', values['holdout-fraction']) ?? 0.3,
    maxParallel: numberOption('max-parallel', values['max-parallel']) ?? 2,
    backtest: {
      data: values.data,
      funding: values.funding,
      symbol: values.symbol,
      start: values.start,
      trainHours: numberOption('train-hours', values['train-hours']),
      testHours: numberOption('test-hours', values['test-hours']),
      retrainMinutes: numberOption('retrain-minutes', values['retrain-minutes']),
    },
    ...(values.out ? { outDir: values.out } : {}),
  });
  console.error(
    `Sweep ${request.sweepId}: ${combinations.length} combinations in ${request.groups.length} model group(s), held out from ${new Date(request.splitTime).toISOString()}`,
  );
  if (values['dry-run']) return;
  await withRuntime(values.detach !== true, async ({ client, database }) => {
    // The child walk-forwards are named after the sweep id: a second sweep of the same id would collide with them.
    if ((await getSweep(database.db, request.sweepId)) !== undefined) throw new UsageError(`sweep id '${request.sweepId}' exists already; pick another --id`);
    const handle = await startSweep(client, request);
    if (values.detach) return void console.log(`Detached; re-attach with: npm run sweep -- follow ${request.sweepId}`);
    const quiet = values.quiet === true;
    printSummary(await followSweep(handle, quiet ? undefined : (p) => console.error(progressText(p)), 2_000));
  });
}

async function main(): Promise<void> {
  installQuietRuntime({ shutdownSignals: [] });
  const argv = process.argv.slice(2);
  const command = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : 'run';
  if (command === 'run') {
    const { values } = parseCli(argv, OPTIONS);
    if (values.help) return void console.log(USAGE);
    return run(values);
  }
  const { values, positionals } = parseCli(argv.slice(1), { out: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) return void console.log(USAGE);
  const id = positionals[0];
  if (id === undefined) throw new UsageError(`${command} needs a sweep id`);
  if (command === 'show') {
    const s = readSweepSummary(sweepDir(id));
    const m = s.select_on;
    console.log(`rank  ${m} in-sample  held-out  whole  combination`);
    for (const r of s.ranking.slice(0, 20))
      console.log(`${String(r.rank).padStart(4)}  ${String(r.in_sample[m])}  ${String(r.held_out[m])}  ${String(r.whole[m])}  ${JSON.stringify(r.values)}`);
    return;
  }
  if (command === 'config') {
    const rank = Number(positionals[1]);
    const s = readSweepSummary(sweepDir(id));
    const row = s.ranking.find((r) => r.rank === rank);
    if (!row) throw new UsageError(`sweep ${id} has no rank '${positionals[1] ?? ''}' (1..${s.ranking.length})`);
    // The sweep's timeline first, so `npm run backtest -- --config F` replays the same test period's settings.
    const base = loadConfig(values.config);
    const timed = { ...base, backtest: { ...base.backtest, ...s.backtest } };
    const text = stringify(combinationConfig(timed, row.values));
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
    return;
  }
  if (command !== 'follow' && command !== 'cancel') throw new UsageError(`unknown command '${command}'`);
  await withRuntime(command === 'follow', async ({ client }) => {
    const handle = client.workflow.getHandle(sweepWorkflowId(id));
    if (command === 'cancel') {
      await handle.cancel();
      return void console.log(`Sweep ${id} cancelled.`);
    }
    printSummary(await followSweep(handle, (p) => console.error(progressText(p)), 2_000));
  });
}

runMain(USAGE, main);
