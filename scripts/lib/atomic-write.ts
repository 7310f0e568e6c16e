/** Writes a whole file or nothing: a failed or interrupted command never leaves a half-written output. */
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Writes `data` to a temporary file beside `path`, then renames it over `path` (atomic on one file system). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`Cannot write ${target}: ${(err as Error).message}`);
  }
}
