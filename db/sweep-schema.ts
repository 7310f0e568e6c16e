/**
 * Tables of parameter sweeps (a separate file: db/schema.ts is long; drizzle.config.ts reads both). Same
 * conventions: Unix ms as bigint, metrics as jsonb of float64, natural keys so a retried activity upserts.
 */
import { bigint, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { JsonObject } from './schema';

const unixMs = (name: string) => bigint(name, { mode: 'number' });

/** One row per sweep: its plan and where its files are; `status` running / completed / failed / cancelled. */
export const sweeps = pgTable('sweeps', {
  sweepId: text('sweep_id').primaryKey(),
  workflowId: text('workflow_id').notNull(),
  status: text('status').notNull().default('running'),
  startedAt: unixMs('started_at').notNull(),
  finishedAt: unixMs('finished_at'),
  combinations: integer('combinations').notNull(),
  groups: integer('groups').notNull(),
  selectOn: text('select_on').notNull(),
  holdoutFraction: doublePrecision('holdout_fraction').notNull(),
  testFrom: unixMs('test_from').notNull(),
  testTo: unixMs('test_to').notNull(),
  splitTime: unixMs('split_time').notNull(),
  axes: jsonb('axes').$type<JsonObject>().notNull(),
  outDir: text('out_dir').notNull(),
});

/** One row per combination: its values, rank (on the in-sample metric) and the metrics of the three parts. */
export const sweepResults = pgTable(
  'sweep_results',
  {
    sweepId: text('sweep_id')
      .notNull()
      .references(() => sweeps.sweepId, { onDelete: 'cascade' }),
    combination: integer('combination').notNull(),
    modelGroup: integer('model_group').notNull(),
    rank: integer('rank').notNull(),
    values: jsonb('values').$type<JsonObject>().notNull(),
    whole: jsonb('whole').$type<JsonObject>().notNull(),
    inSample: jsonb('in_sample').$type<JsonObject>().notNull(),
    heldOut: jsonb('held_out').$type<JsonObject>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.sweepId, t.combination] }), index('sweep_results_rank_idx').on(t.sweepId, t.rank)],
);

export type SweepRow = typeof sweeps.$inferSelect;
export type SweepResultRow = typeof sweepResults.$inferSelect;
