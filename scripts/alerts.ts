/**
 * npm run alerts -- test [--config F] [--dry-run]: sends a test alert to every target in the configuration's
 * `alerts.targets` (whether or not alerts are enabled, so targets can be checked before switching them on) and
 * reports each target's outcome. Needs no Temporal or database; secrets come from the environment or .env.
 */
import { Notifier, describeOutcome } from '../alerts/notifier';
import { alertEvent } from '../contracts/alerts';
import { resolveAlertTargets } from '../config/alert-secrets';
import { loadConfig, DEFAULT_CONFIG_PATH } from '../config/load-config';
import { parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm run alerts -- test [options]   (or: npx tsx scripts/alerts.ts test)

Commands:
  test   send a test alert to every target of alerts.targets and report each one's outcome
         (exit code 1 when a target failed)

Options:
  --config FILE     configuration (default: BOT_CONFIG, else ${DEFAULT_CONFIG_PATH})
  --dry-run         print the alert instead of sending it (no secrets needed)
  --message TEXT    the test alert's text (default: "alerts are set up")
  -h, --help        this help

Targets name environment variables for their secrets (webhook URLs, bot tokens), read from the environment or .env.`;

async function main(): Promise<void> {
  const { values, positionals } = parseCli(
    process.argv.slice(2),
    {
      config: { type: 'string' },
      'dry-run': { type: 'boolean' },
      message: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [command, ...extra] = positionals;
  if (command === undefined) throw new UsageError('a command is required');
  if (command !== 'test') throw new UsageError(`unknown command '${command}'`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);

  const { alerts } = loadConfig(values.config);
  const dryRun = values['dry-run'] === true || alerts.dry_run;
  const targets = resolveAlertTargets({ ...alerts, dry_run: dryRun });
  if (!alerts.enabled) console.log('note: alerts.enabled is false, so the workers send nothing; this test goes to the targets anyway');
  if (targets.length === 0) {
    if (!dryRun) throw new Error('no alert targets are configured (config alerts.targets)');
    console.log('no alert targets are configured (config alerts.targets)');
  }

  const now = Date.now();
  const event = alertEvent('test', { workflowId: 'alerts-cli', id: now, at: now }, { message: values.message ?? 'alerts are set up' });
  const notifier = new Notifier({ targets, dryRun, timeoutMs: alerts.timeout_seconds * 1000 });
  const report = await notifier.send(event);
  for (const outcome of report.outcomes) console.log(`  ${describeOutcome(outcome)}`);
  const failed = report.outcomes.filter((o) => o.status === 'failed').length;
  if (!dryRun) console.log(`${report.outcomes.length - failed} of ${report.outcomes.length} targets took the alert (key ${event.key})`);
  if (failed > 0) process.exitCode = 1;
}

runMain(USAGE, main);
