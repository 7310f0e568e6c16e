/**
 * The alert targets' secrets, read from the environment (or .env) by the variable names config.yaml gives:
 * webhook URLs and bot tokens are never in config.yaml, workflows, logs or the database. Checked when the trading
 * worker starts, so a missing variable stops it with the variable's name instead of failing alert after alert.
 */
import { targetNames, type AlertsConfig } from './alerts-schema';
import { loadEnvFile } from './secrets';
import { TELEGRAM_API_BASE_URL, type AlertTarget } from '../alerts/targets';

export class AlertConfigError extends Error {
  override name = 'AlertConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The configured targets with their secrets (whether alerts are enabled is the caller's concern). Every missing
 * or empty variable, and every one that is not an http(s) URL where one is expected, is named in one
 * AlertConfigError (their values never are); in dry-run mode nothing is sent, so nothing is required.
 */
export function resolveAlertTargets(alerts: Pick<AlertsConfig, 'targets' | 'dry_run'>, env?: Env): AlertTarget[] {
  if (env === undefined) loadEnvFile();
  const vars: Env = env ?? process.env;
  const names = targetNames(alerts.targets);
  const problems: string[] = [];
  const read = (variable: string, target: string): string => {
    const value = vars[variable]?.trim() ?? '';
    if (value === '') problems.push(`${variable} (target ${target}) is not set in the environment or .env`);
    return value;
  };
  const readUrl = (variable: string, target: string): string => {
    const value = read(variable, target);
    if (value !== '' && !/^https?:\/\/[^\s/]+/.test(value)) problems.push(`${variable} (target ${target}) must be an http(s) URL`);
    return value;
  };
  const targets = alerts.targets.map((t, i): AlertTarget => {
    const name = names[i]!;
    switch (t.type) {
      case 'telegram':
        return {
          type: 'telegram',
          name,
          token: read(t.token_env, name),
          chatId: read(t.chat_id_env, name),
          apiBaseUrl: t.api_base_url ?? TELEGRAM_API_BASE_URL,
        };
      case 'webhook':
      case 'slack':
      case 'discord':
        return { type: t.type, name, url: readUrl(t.url_env, name) };
    }
  });
  if (problems.length > 0 && !alerts.dry_run)
    throw new AlertConfigError(`Alert targets cannot be used (config alerts.targets):\n  - ${problems.join('\n  - ')}`);
  return targets;
}
