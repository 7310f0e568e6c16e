/**
 * db/migrations as it was before a migration: the same files, the journal cut before `tag`. A migration test applies
 * it, writes rows as the old code did, then applies the real folder (migrateDatabase) over them.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { MIGRATIONS_FOLDER } from '../../db/client';

const journalSchema = z.object({ entries: z.array(z.object({ tag: z.string() }).loose()) }).loose();

/** A temporary copy of the migrations folder without `tag` and the migrations after it (remove it when done). */
export function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-before-'));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = journalSchema.parse(JSON.parse(readFileSync(journalFile, 'utf8')));
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at <= 0) throw new Error(`migration ${tag} is not in ${MIGRATIONS_FOLDER} (or is the first one)`);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return dir;
}
