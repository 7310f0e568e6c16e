import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The project root: the nearest folder above this file holding toolchain.json (independent of cwd). */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(join(dir, 'toolchain.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the project root (toolchain.json) above ${__dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
