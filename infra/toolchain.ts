// Where the project lives and where its pinned native toolchain and local data are (see toolchain.json).
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { findProjectRoot } from '../config/project-root';
import { nonEmpty, type Env } from './env';

export { findProjectRoot };

export interface ToolchainPaths {
  readonly root: string;
  readonly temporalCli: string;
  readonly lightgbmLib: string;
}

/** Paths of the pinned tools, honouring TEMPORAL_CLI_PATH / LIGHTGBM_LIB_PATH; existence is not checked. */
export function toolchainPaths(env: Env = process.env, root: string = findProjectRoot()): ToolchainPaths {
  return {
    root,
    temporalCli: nonEmpty(env.TEMPORAL_CLI_PATH) ?? join(root, '.toolchain', 'py', 'bin', 'temporal'),
    lightgbmLib: nonEmpty(env.LIGHTGBM_LIB_PATH) ?? join(root, '.toolchain', 'py', 'lightgbm', 'lib', 'lib_lightgbm.so'),
  };
}

/** The Temporal CLI binary, or an error that says how to get it. */
export function requireTemporalCli(env: Env = process.env): string {
  return requireTool(toolchainPaths(env).temporalCli, 'Temporal CLI', 'TEMPORAL_CLI_PATH', env);
}

/** The LightGBM shared library, or an error that says how to get it. */
export function requireLightgbmLib(env: Env = process.env): string {
  return requireTool(toolchainPaths(env).lightgbmLib, 'LightGBM library', 'LIGHTGBM_LIB_PATH', env);
}

/** Folder for local state (Temporal's SQLite file, the embedded PostgreSQL cluster, logs): BOT_DATA_DIR or <root>/.data. */
export function dataDir(env: Env = process.env): string {
  const fromEnv = nonEmpty(env.BOT_DATA_DIR);
  if (fromEnv !== undefined) return isAbsolute(fromEnv) ? fromEnv : resolve(fromEnv);
  return join(findProjectRoot(), '.data');
}

function requireTool(path: string, what: string, envName: string, env: Env): string {
  if (existsSync(path)) return path;
  if (nonEmpty(env[envName]) !== undefined)
    throw new Error(`${envName}=${path} does not exist: point it at the ${what} or unset it to use the pinned toolchain.`);
  throw new Error(`${what} not found at ${path}: run \`npm run toolchain\` to install the pinned toolchain (toolchain.json), or set ${envName}.`);
}
