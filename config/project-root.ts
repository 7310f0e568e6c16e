import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest folder at or above `start` that holds toolchain.json: the project checkout, whatever the cwd. */
export function findProjectRoot(start: string = __dirname): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'toolchain.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No toolchain.json found in ${resolve(start)} or any folder above it: is this the project checkout?`);
    dir = parent;
  }
}

let cached: string | undefined;

/** The project root of this checkout (cached). */
export function projectRoot(): string {
  cached ??= findProjectRoot();
  return cached;
}
