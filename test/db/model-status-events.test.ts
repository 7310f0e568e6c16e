/**
 * The history of model statuses on a real embedded PostgreSQL: registration opens it, every change (and the
 * retirement a promotion causes) is recorded with its reason and actor in the same transaction, a repeated status
 * or a refused change records nothing, models from before migration 0007 start their history with their status,
 * and the Models page shows each model's changes.
 */
import { rmSync } from 'node:fs';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { statusChangeNote } from '../../activities/status-change-note';
import { modelsPage } from '../../dashboard/pages/models-page';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { statusEventsOf } from '../../db/repositories/model-status-events';
import { insertModel, listModels, setModelStatus } from '../../db/repositories/models';
import type { NewModelRow } from '../../db/schema';
import { migrationsBefore } from './migrations-before';
import { startTempPostgres, type TempPostgres } from './temp-postgres';

const T = Date.UTC(2023, 2, 3, 12, 0);
const HOUR = 3_600_000;
let pg: TempPostgres;
let handle: DatabaseHandle;

function model(version: string, over: Partial<NewModelRow> = {}): NewModelRow {
  return {
    version,
    symbol: 'BTCUSDT',
    createdAt: T,
    trainStart: T - 48 * HOUR,
    trainEnd: T,
    horizon: 10,
    params: {},
    metrics: { rmse: 0.001, directionalAccuracy: 0.52, ic: 0.03, n: 100, bestIteration: 5, nTrain: 100, nValid: 20 },
    featureReference: { version: 1, nRows: 100, features: [] },
    featureImportance: {},
    modelText: 'tree',
    statusChangedAt: T,
    ...over,
  };
}

const changes = async (version: string) =>
  ((await statusEventsOf(handle.db, [version])).get(version) ?? []).map((e) => [e.fromStatus, e.toStatus, e.at, e.reason, e.actor]);

beforeAll(async () => {
  pg = await startTempPostgres();
  // A model registered before the history existed (as 0006's code wrote it), then the real migrations.
  const old = migrationsBefore('0007_alerts_and_model_history');
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder: old });
    await sql`
      insert into models (version, symbol, train_start, train_end, horizon, params, metrics, feature_reference, feature_importance, model_text, status, status_changed_at)
      values ('BTCUSDT-old', 'BTCUSDT', ${T - 96 * HOUR}, ${T - 48 * HOUR}, 10, '{}', '{}', '{}', '{}', 'tree', 'champion', ${T - 10 * HOUR})`;
  } finally {
    await sql.end();
    rmSync(old, { recursive: true, force: true });
  }
  await migrateDatabase(pg.url);
  handle = openDatabase(pg.url, { max: 2 });
});

afterAll(async () => {
  await handle?.close();
  await pg?.stop();
});

test('a model from before the history starts it with its status at the time of the migration', async () => {
  expect(await changes('BTCUSDT-old')).toEqual([[null, 'champion', T - 10 * HOUR, 'status when the history began', null]]);
});

test('registration, shadow, promotion (retiring the old champion), rollback: each change recorded once, with why and by whom', async () => {
  expect(await insertModel(handle.db, model('BTCUSDT-new'), { reason: 'trained by retrain' })).toBe(true);
  expect(await insertModel(handle.db, model('BTCUSDT-new', { modelText: 'other' }))).toBe(false); // a retried training activity
  const retrain = statusChangeNote('RetrainWorkflow', 'retrain-BTCUSDT-1', 'shadow');
  await setModelStatus(handle.db, 'BTCUSDT-new', 'shadow', T + HOUR, retrain);
  await setModelStatus(handle.db, 'BTCUSDT-new', 'shadow', T + HOUR + 1, retrain); // a retried activity: no change
  await setModelStatus(handle.db, 'BTCUSDT-new', 'champion', T + 2 * HOUR, statusChangeNote('RetrainWorkflow', 'retrain-BTCUSDT-1', 'champion'));
  await setModelStatus(handle.db, 'BTCUSDT-old', 'champion', T + 3 * HOUR, { reason: 'rollback', actor: 'operator' });

  const actor = 'RetrainWorkflow retrain-BTCUSDT-1';
  expect(await changes('BTCUSDT-new')).toEqual([
    [null, 'candidate', T, 'trained by retrain', null],
    ['candidate', 'shadow', T + HOUR, 'challenger of a retrain (shadow)', actor],
    ['shadow', 'champion', T + 2 * HOUR, 'promoted by retrain', actor],
    ['champion', 'retired', T + 3 * HOUR, 'replaced by BTCUSDT-old', 'operator'],
  ]);
  expect((await changes('BTCUSDT-old')).slice(1)).toEqual([
    ['champion', 'retired', T + 2 * HOUR, 'replaced by BTCUSDT-new', actor],
    ['retired', 'champion', T + 3 * HOUR, 'rollback', 'operator'],
  ]);
});

test('a refused change records nothing', async () => {
  await insertModel(handle.db, model('BTCUSDT-replay', { purpose: 'backtest' }));
  await expect(setModelStatus(handle.db, 'BTCUSDT-replay', 'champion', T + 4 * HOUR)).rejects.toThrow(/trained for a backtest/);
  expect(await changes('BTCUSDT-replay')).toEqual([[null, 'candidate', T, 'registered', null]]);
  expect((await changes('BTCUSDT-old')).at(-1)).toEqual(['retired', 'champion', T + 3 * HOUR, 'rollback', 'operator']);
});

test('the Models page lists each model with its status changes', async () => {
  const models = await listModels(handle.db, { purpose: 'live' });
  const html = modelsPage(
    models,
    await statusEventsOf(
      handle.db,
      models.map((m) => m.version),
    ),
  );
  const row = html.split('<tr>').find((r) => r.includes('BTCUSDT-new</td>'))!;
  expect(row.match(/<li data-status-event>/g)).toHaveLength(4);
  expect(row).toContain('2023-03-03 14:00 shadow → <b>champion</b> (promoted by retrain; RetrainWorkflow retrain-BTCUSDT-1)');
  expect(row).toContain('2023-03-03 12:00 registered → <b>candidate</b> (trained by retrain)');
  expect(modelsPage(models, new Error('relation "model_status_events" does not exist'))).toContain('status history: relation');
});
