/**
 * A complete local stack for integration tests: a Temporal dev server and an embedded PostgreSQL on free ports
 * and a temporary data folder, migrations applied, workers of every queue running in this process.
 * It ignores TEMPORAL_ADDRESS / DATABASE_URL of the shell, so a test can never write into a developer's stack.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntime } from '../../app/local-runtime';
import { freePorts } from './free-ports';
import { recordHistories } from './record-histories';

export interface TestRuntime extends LocalRuntime {
  readonly dataDir: string;
}

export async function startTestRuntime(options: { trainingSlots?: number } = {}): Promise<TestRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lgbm-bot-it-'));
  // The embedded server runs as the postgres OS user when tests run as root: it must enter the folder.
  chmodSync(dataDir, 0o755);
  const [temporalPort, uiPort, pgPort] = (await freePorts(3)) as [number, number, number];
  const env = { BOT_DATA_DIR: dataDir };
  try {
    const runtime = await startLocalRuntime({
      trainingSlots: options.trainingSlots ?? 2,
      infra: { temporal: { port: temporalPort, uiPort, env }, postgres: { port: pgPort, env } },
    });
    return {
      ...runtime,
      dataDir,
      stop: async () => {
        try {
          // A failing recorder must not leave the servers running.
          await recordHistories(runtime.client).finally(() => runtime.stop());
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
