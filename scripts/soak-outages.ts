/**
 * npm run soak:outages: the outage drill of test/outages/outages.test.ts with longer outages and as many rounds as
 * asked. A paper bot on the local exchange (its own Temporal dev server, PostgreSQL and data folder on free ports;
 * nothing of a developer's stack is touched) holds a position at each kill: kill -9 of the Temporal dev server, of
 * PostgreSQL (each kept away for the given time, then restarted by the supervisor), and of the market-data worker
 * process (started again after the given time). Prints each outage's length and the bot's recovery time, then
 * checks the whole run: every bar decided once, in order, none handed twice, no duplicated trade (exit 1 if not).
 */
import { finishAndCheck, marketDataWorkerKill, openPosition, serverOutage, startDrillStack, type OutageResult } from '../test/outages/fixtures/outage-drill';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm run soak:outages -- [options]

Options:
  --temporal S     how long the Temporal dev server stays away after its kill -9 (default 120; 0 skips it)
  --postgres S     how long PostgreSQL stays away after its kill -9 (default 120; 0 skips it)
  --worker S       how long the market-data worker process stays dead (default 60; 0 skips it)
  --rounds N       repeat the three outages N times (default 1)
  --bars N         bars that close on the exchange during each outage (default 5)
  --verbose        print the supervisor's lines as they come
  -h, --help       this help`;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    temporal: { type: 'string' },
    postgres: { type: 'string' },
    worker: { type: 'string' },
    rounds: { type: 'string' },
    bars: { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return console.log(USAGE);
  const temporalS = numberOption('temporal', values.temporal) ?? 120;
  const postgresS = numberOption('postgres', values.postgres) ?? 120;
  const workerS = numberOption('worker', values.worker) ?? 60;
  const rounds = numberOption('rounds', values.rounds) ?? 1;
  const bars = numberOption('bars', values.bars) ?? 5;
  for (const [name, value] of Object.entries({ temporal: temporalS, postgres: postgresS, worker: workerS, bars }))
    if (!(value >= 0)) throw new UsageError(`--${name} must be >= 0 (got ${value})`);
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new UsageError(`--rounds must be a positive integer (got ${rounds})`);

  const started = Date.now();
  const stack = await startDrillStack({ print: values.verbose === true });
  console.log(`stack up in ${seconds(Date.now() - started)}; bot ${stack.handle.workflowId}`);
  const results: OutageResult[] = [];
  const report = (result: OutageResult) => {
    results.push(result);
    const side = result.position ? `${result.position.side} position` : 'flat';
    console.log(
      `${result.what} (${side}, ${result.barsDuringOutage} bars meanwhile): away ${seconds(result.outageMs)}, next decision ${seconds(result.recoveryMs)} after it was back, caught up after ${seconds(result.catchUpMs)}`,
    );
  };
  try {
    for (let round = 1; round <= rounds; round++) {
      if (rounds > 1) console.log(`round ${round} of ${rounds}`);
      if (temporalS > 0) {
        await openPosition(stack);
        report(await serverOutage(stack, 'temporal', temporalS * 1000, bars));
      }
      if (postgresS > 0) {
        await openPosition(stack);
        report(await serverOutage(stack, 'postgres', postgresS * 1000, bars));
      }
      if (workerS > 0) {
        await openPosition(stack);
        report(await marketDataWorkerKill(stack, workerS * 1000, bars));
      }
    }
    const check = await finishAndCheck(stack);
    const supervisor = stack.lines.filter((l) => /went away|is back|restart \d+ failed|worker .* (stopped|polls again)/.test(l));
    console.log(`supervisor lines (${supervisor.length}):\n${supervisor.join('\n')}`);
    console.log(
      `whole run: ${check.bars} bars, ${check.trades} trades; missing or extra decisions ${check.missing.length}, bars handed twice ${check.repeatedInHistory.length}, duplicated trades ${check.duplicateTrades}`,
    );
    console.log(JSON.stringify({ results, check: { ...check, final: undefined } }));
    if (check.missing.length > 0 || check.repeatedInHistory.length > 0 || check.duplicateTrades > 0 || check.final.barsProcessed !== check.bars) {
      process.exitCode = 1;
    }
  } finally {
    await stack.stop();
  }
}

runMain(USAGE, main);
