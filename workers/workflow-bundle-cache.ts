/**
 * The workflow bundle, built by webpack once per version of the code and kept in .data/cache/: bundling takes
 * seconds, and every command that runs a trading worker (npm run backtest, demo, start) would pay them each time.
 * The key hashes every source file the bundle can include and the lock file, so any change rebuilds it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { projectRoot } from '../config/project-root';

const SKIP = new Set(['node_modules', '.git', '.data', '.toolchain', 'test', 'backtests', 'bench', 'dist', 'coverage']);

function sourceFiles(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) sourceFiles(join(dir, entry.name), out);
    } else if (/\.(ts|js|json)$/.test(entry.name)) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

export function bundleKey(root = projectRoot()): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(root, []).sort()) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

export async function cachedWorkflowBundle(workflowsPath: string, logger: Parameters<typeof bundleWorkflowCode>[0]['logger']): Promise<WorkflowBundle> {
  const root = projectRoot();
  const dir = join(process.env.BOT_DATA_DIR ?? join(root, '.data'), 'cache');
  const file = join(dir, `workflow-bundle-${bundleKey(root)}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const bundle = await bundleWorkflowCode({ workflowsPath, ...(logger ? { logger } : {}) });
  try {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, bundle.code);
    renameSync(partial, file); // atomic: a concurrent reader sees the whole bundle or none
  } catch {
    // A read-only checkout still runs, bundling each time.
  }
  return bundle;
}
