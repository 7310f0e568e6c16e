// Reading the launcher's settings from environment variables (an external boundary: validate, name the variable).
import { z } from 'zod';

/** Environment variables the launcher reads; tests pass their own instead of mutating process.env. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The value, or undefined when unset or blank (an empty `FOO=` in .env means "not set"). */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

const portSchema = z.coerce.number().int().min(1).max(65_535);

/** A TCP port: the explicit option, else the environment variable, else the default. */
export function portSetting(option: number | undefined, env: Env, name: string, fallback: number): number {
  const raw = option ?? nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const parsed = portSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(option !== undefined ? `port option must be a TCP port (1-65535), got ${option}` : `${name} must be a TCP port (1-65535), got '${raw}'`);
  }
  return parsed.data;
}
