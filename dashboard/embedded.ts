/**
 * The dashboard inside npm start and npm run demo, on their runtime's Temporal client and database pool. A
 * dashboard that cannot listen (port taken, e.g. by a standalone npm run dashboard) is reported and skipped:
 * the bot matters more than its view.
 */
import { join } from 'node:path';
import type { LocalRuntime } from '../app/local-runtime';
import { projectRoot } from '../config/project-root';
import type { DashboardOptions } from './options';
import { startDashboard, type Dashboard } from './server';
import { sourcesFromClient } from './sources';

export async function startEmbeddedDashboard(runtime: LocalRuntime, options: DashboardOptions, log: (line: string) => void): Promise<Dashboard | null> {
  const sources = sourcesFromClient(runtime.client, {
    db: runtime.database.db,
    namespace: runtime.infra.temporal.namespace,
    temporalUiUrl: runtime.infra.temporal.uiUrl ?? null,
    backtestsDir: join(projectRoot(), 'backtests'),
  });
  try {
    const dashboard = await startDashboard(sources, options);
    log(`Dashboard: ${dashboard.url}${options.token ? '  (open it once with ?token=<DASHBOARD_TOKEN>)' : ''}`);
    return dashboard;
  } catch (err) {
    log(`Dashboard not started: ${err instanceof Error ? err.message : String(err)} (set DASHBOARD_PORT, or use the running one)`);
    return null;
  }
}
