// Local infrastructure for development: `npm run infra -- up|down|status`.
import { parseArgs } from 'node:util';
import { ensureInfra, postgresStatus, stopPostgresServer, stopTemporalServer, temporalStatus, type StopOutcome } from '../infra';
import { loadEnvFile } from '../config/secrets';

const USAGE = `Usage: npm run infra -- <command>   (or: npx tsx scripts/infra.ts <command>)

Commands:
  up       start the Temporal dev server and the embedded PostgreSQL in the background
           (or reuse what already runs); prints the addresses and the Web UI URL
  down     stop what \`up\` started (found through the pid files in the data dir)
  status   show what is running

Options:
  -h, --help   show this help

Environment (also read from .env):
  TEMPORAL_ADDRESS   use this Temporal server instead of a local dev server
  TEMPORAL_PORT, TEMPORAL_UI_PORT, TEMPORAL_NAMESPACE   local dev server (7233, 8233, default)
  DATABASE_URL       use this PostgreSQL instead of the embedded one
  PGPORT_EMBEDDED    port of the embedded PostgreSQL (5433)
  BOT_DATA_DIR       where local state and logs live (<project>/.data)`;

const COMMANDS = ['up', 'down', 'status'] as const;
type Command = (typeof COMMANDS)[number];

class UsageError extends Error {}

function parseCommand(argv: readonly string[]): Command | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) return 'help';
  const [command, ...extra] = parsed.positionals;
  if (command === undefined) throw new UsageError('missing command');
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command '${command}' (expected ${COMMANDS.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')}`);
  return command as Command;
}

async function up(): Promise<void> {
  const infra = await ensureInfra({ detached: true, log: (message) => console.log(message) });
  const reuse = (startedHere: boolean) => (startedHere ? 'started' : 'already running');
  console.log('');
  console.log(`Temporal   ${infra.temporalAddress}  namespace ${infra.temporal.namespace}  (${reuse(infra.temporal.startedHere)})`);
  console.log(`Web UI     ${infra.temporal.uiUrl ?? '(unknown for this server)'}`);
  console.log(`PostgreSQL ${infra.databaseUrl}  (${reuse(infra.postgres.startedHere)})`);
  console.log('');
  console.log(`Point workers and scripts at them with TEMPORAL_ADDRESS=${infra.temporalAddress} DATABASE_URL=${infra.databaseUrl}`);
  console.log('(they also find them by themselves when these are unset). Stop with: npm run infra -- down');
}

async function down(): Promise<void> {
  const describe = (outcome: StopOutcome) =>
    outcome === 'not-running' ? 'was not running (no live pid file)' : outcome === 'stopped' ? 'stopped' : 'did not stop in time: killed';
  const [temporal, postgres] = await Promise.all([stopTemporalServer(), stopPostgresServer()]);
  console.log(`Temporal   ${describe(temporal)}`);
  console.log(`PostgreSQL ${describe(postgres)}`);
}

/** Exit code 0 only when both services answer. */
async function status(): Promise<number> {
  const [temporal, postgres] = await Promise.all([temporalStatus(), postgresStatus()]);
  console.log(`Temporal   ${temporal.summary}`);
  console.log(`PostgreSQL ${postgres.summary}`);
  return temporal.running && postgres.running ? 0 : 1;
}

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  loadEnvFile();
  switch (command) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'status':
      return status();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`infra: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(`infra: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  },
);
