/**
 * npm run dashboard: the operator dashboard (dashboard/) against the running stack. It never starts servers:
 * it reads PostgreSQL (DATABASE_URL, else the local embedded server) and Temporal (TEMPORAL_ADDRESS, else the local
 * dev server), and keeps serving, with the errors on the pages, while either is away. Ctrl-C / SIGTERM stop it.
 */
import { join } from 'node:path';
import { watchStopRequests } from '../app/stop-requests';
import { projectRoot } from '../config/project-root';
import { loadEnvFile } from '../config/secrets';
import { openDatabase } from '../db/client';
import { dashboardOptionsFromEnv } from '../dashboard/options';
import { startDashboard } from '../dashboard/server';
import { lazyTemporal } from '../dashboard/sources';
import { embeddedUrl, postgresSettings } from '../infra/postgres';
import { LOCALHOST } from '../infra/processes';
import { temporalSettings } from '../infra/temporal';
import { parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm run dashboard -- [--host H] [--port N]

The operator dashboard: bots, their charts, trades and controls, the model registry and the backtests, live.
  --host H    bind address (default 127.0.0.1, or DASHBOARD_HOST); any other than localhost needs DASHBOARD_TOKEN
              (environment or .env), then required on every request (open the page once with ?token=...)
  --port N    port (default 8300, or DASHBOARD_PORT; 0 = any free port)
  -h, --help  this help`;

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), { host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) return console.log(USAGE);
  loadEnvFile();
  let options;
  try {
    options = dashboardOptionsFromEnv(process.env, { host: values.host, port: values.port });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const pg = postgresSettings();
  const database = openDatabase(pg.externalUrl ?? embeddedUrl(pg.port, pg.database), { max: 4 });
  const t = temporalSettings();
  const temporal = lazyTemporal(t.externalAddress ?? `${LOCALHOST}:${t.port}`, t.namespace);
  const uiUrl = process.env.TEMPORAL_UI_URL ?? (t.externalAddress === undefined ? `http://${LOCALHOST}:${t.uiPort}` : null);
  const stops = watchStopRequests();
  const dashboard = await startDashboard(
    { temporal: temporal.temporal, db: database.db, namespace: t.namespace, temporalUiUrl: uiUrl, backtestsDir: join(projectRoot(), 'backtests') },
    options,
  );
  console.log(`Dashboard: ${dashboard.url}${options.token ? '  (token required: open it with ?token=<DASHBOARD_TOKEN>)' : ''}`);
  const request = await stops.requested;
  console.log(`${request.reason}: stopping the dashboard`);
  await dashboard.close();
  await Promise.allSettled([database.close(), temporal.close()]);
  stops.dispose();
}

runMain(USAGE, main);
