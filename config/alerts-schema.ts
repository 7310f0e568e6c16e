/**
 * The `alerts:` section of config.yaml: where alerts go and which ones. Secrets (webhook URLs, which embed their
 * tokens, and bot tokens) are never written here, only the NAMES of the environment variables (.env) holding them;
 * config/alert-secrets.ts reads those. Absent section: alerts off.
 */
import { z } from 'zod';
import { ALERT_KINDS } from '../contracts/alerts';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (e.g. ALERT_WEBHOOK_URL); secrets never go in config.yaml');
const name = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, _ . - (at most 40)');

const webhook = z.object({ type: z.literal('webhook'), name: name.optional(), url_env: envName }).strict();
const telegram = z
  .object({
    type: z.literal('telegram'),
    name: name.optional(),
    token_env: envName,
    chat_id_env: envName,
    /** The Bot API server (default https://api.telegram.org): a local Bot API server, or a test receiver. */
    api_base_url: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();
const slack = z.object({ type: z.literal('slack'), name: name.optional(), url_env: envName }).strict();
const discord = z.object({ type: z.literal('discord'), name: name.optional(), url_env: envName }).strict();

export const alertTargetSchema = z.discriminatedUnion('type', [webhook, telegram, slack, discord]);

export const alertsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Print each alert's line (worker log / stdout) instead of sending it; no secrets needed. */
    dry_run: z.boolean().default(false),
    /** No new bar for this long (workflow time) is an outage: market_data_unreachable, then market_data_restored. */
    min_unreachable_minutes: z.number().int().min(2).max(1440).default(5),
    /** Per HTTP request to a target. */
    timeout_seconds: z.number().positive().max(25).default(10),
    /** Only these kinds are sent; absent: all. */
    events: z.array(z.enum(ALERT_KINDS)).min(1).optional(),
    targets: z.array(alertTargetSchema).default([]),
  })
  .strict()
  .superRefine((alerts, ctx) => {
    if (alerts.enabled && !alerts.dry_run && alerts.targets.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['targets'], message: 'alerts are enabled but no target is configured (add one, or set enabled: false)' });
    }
    const seen = new Set<string>();
    for (const [i, name] of targetNames(alerts.targets).entries()) {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate target name '${name}'` });
      seen.add(name);
    }
  })
  // An absent section parses as {}: alerts off, every default applied.
  .prefault({});

export type AlertsConfig = z.infer<typeof alertsSchema>;
export type AlertTargetConfig = z.infer<typeof alertTargetSchema>;

/** Each target's name in reports: its `name`, else its type, numbered when the type is used more than once. */
export function targetNames(targets: readonly AlertTargetConfig[]): string[] {
  const count = (type: string) => targets.filter((t) => t.type === type).length;
  const nth = new Map<string, number>();
  return targets.map((t) => {
    const n = (nth.get(t.type) ?? 0) + 1;
    nth.set(t.type, n);
    return t.name ?? (count(t.type) > 1 ? `${t.type}-${n}` : t.type);
  });
}
