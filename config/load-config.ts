import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { projectRoot } from './project-root';
import { configSchema, type BotConfig } from './schema';

export const DEFAULT_CONFIG_PATH = 'config/config.yaml';

/** Thrown for an unreadable or invalid configuration; the message names the file and every bad key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `  - ${path}: ${issue.message}`;
  });
  return `Invalid configuration in ${file}:\n${lines.join('\n')}`;
}

/** Validates an already parsed configuration object (e.g. one passed to a workflow or a test). */
export function parseConfig(raw: unknown, source = '<object>'): BotConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(formatIssues(source, result.error.issues));
  return result.data;
}

/**
 * Loads and validates the YAML configuration.
 * Path resolution: explicit argument, then BOT_CONFIG, then config/config.yaml of the project.
 */
export function loadConfig(path?: string): BotConfig {
  const given = path ?? process.env.BOT_CONFIG ?? DEFAULT_CONFIG_PATH;
  const file = isAbsolute(given) ? given : resolve(path || process.env.BOT_CONFIG ? process.cwd() : projectRoot(), given);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    throw new ConfigError(`Configuration file ${file} is not valid YAML${where}: ${(err as Error).message}`);
  }
  return parseConfig(raw, file);
}
