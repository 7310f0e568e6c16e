/**
 * The dashboard's listen options, validated with zod: where it binds, on which port, and the token that guards it.
 * Off localhost a token is required (the dashboard can flatten a live position), so such a bind without one is refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { projectRoot } from '../config/project-root';

export const LOCAL_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1'];
export const DEFAULT_DASHBOARD_PORT = 8300;
/** Long enough that guessing is hopeless; short ones are refused rather than silently accepted. */
export const MIN_TOKEN_LENGTH = 16;

const optionsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_DASHBOARD_PORT),
  token: z
    .string()
    .min(MIN_TOKEN_LENGTH, `DASHBOARD_TOKEN must have at least ${MIN_TOKEN_LENGTH} characters`)
    .regex(/^[\x21-\x7e]+$/, 'DASHBOARD_TOKEN must be printable ASCII without spaces')
    .optional(),
});

export interface DashboardOptions {
  readonly host: string;
  readonly port: number;
  /** Required on every request when set; always set when bound off localhost. */
  readonly token: string | undefined;
}

export function isLocalHost(host: string): boolean {
  return LOCAL_HOSTS.includes(host);
}

/** Throws with the reason when the options are unusable (bad port, short token, off-localhost without token). */
export function parseDashboardOptions(input: { host?: string | undefined; port?: string | number | undefined; token?: string | undefined }): DashboardOptions {
  const cleaned = {
    ...(input.host ? { host: input.host } : {}),
    ...(input.port !== undefined && input.port !== '' ? { port: input.port } : {}),
    ...(input.token ? { token: input.token } : {}),
  };
  const parsed = optionsSchema.safeParse(cleaned);
  if (!parsed.success) throw new Error(`dashboard: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
  const { host, port, token } = parsed.data;
  if (!isLocalHost(host) && token === undefined)
    throw new Error(`dashboard: binding ${host} (off localhost) needs DASHBOARD_TOKEN in the environment or .env; refusing to start without one`);
  return { host, port, token };
}

/** Options from the environment (DASHBOARD_HOST, DASHBOARD_PORT, DASHBOARD_TOKEN), overridable by CLI values. */
export function dashboardOptionsFromEnv(env: NodeJS.ProcessEnv, overrides: { host?: string | undefined; port?: string | undefined } = {}): DashboardOptions {
  return parseDashboardOptions({
    host: overrides.host ?? env.DASHBOARD_HOST,
    port: overrides.port ?? env.DASHBOARD_PORT,
    token: env.DASHBOARD_TOKEN,
  });
}

/**
 * DASHBOARD_* from the environment, else from .env: only these keys, so a command that does not read .env
 * otherwise (npm run demo) does not pick up its DATABASE_URL or exchange keys this way.
 */
export function dashboardEnv(env: NodeJS.ProcessEnv = process.env, envFile = join(projectRoot(), '.env')): NodeJS.ProcessEnv {
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  const pick = (key: string) => env[key] ?? fromFile[key];
  return { DASHBOARD_HOST: pick('DASHBOARD_HOST'), DASHBOARD_PORT: pick('DASHBOARD_PORT'), DASHBOARD_TOKEN: pick('DASHBOARD_TOKEN') };
}
