/**
 * Real-money trading is never the default: it needs three independent opt-ins, so no single mistake (a config
 * edit, keys left in .env, a mistyped command) can start it.
 */
import type { ExchangeCredentials } from '../config/secrets';

export interface LiveTradingOptIns {
  /** `execution.paper_trading` from the configuration file. */
  readonly paperTradingConfig: boolean;
  /** Whether the operator passed --live. */
  readonly liveFlag: boolean;
  /** exchangeCredentials(): null when BINANCE_API_KEY / BINANCE_API_SECRET are absent. */
  readonly credentials: ExchangeCredentials | null;
}

export class LiveTradingNotAllowedError extends Error {
  override name = 'LiveTradingNotAllowedError';

  constructor(readonly missing: readonly string[]) {
    super(
      `Live trading refused: ${missing.length} of the 3 required opt-ins ${missing.length === 1 ? 'is' : 'are'} missing:\n` +
        missing.map((m) => `  - ${m}`).join('\n'),
    );
  }
}

/** Returns the credentials when all three opt-ins are present; otherwise throws naming each missing one. */
export function assertLiveTradingAllowed(optIns: LiveTradingOptIns): ExchangeCredentials {
  const missing: string[] = [];
  if (optIns.paperTradingConfig) {
    missing.push('the configuration says execution.paper_trading: true (set it to false in config/config.yaml)');
  }
  if (optIns.credentials === null) {
    missing.push('no exchange API keys (set BINANCE_API_KEY and BINANCE_API_SECRET in the environment or in .env)');
  }
  if (!optIns.liveFlag) {
    missing.push('the --live flag was not given (start the bot with --live)');
  }
  if (missing.length > 0 || optIns.credentials === null) throw new LiveTradingNotAllowedError(missing);
  return optIns.credentials;
}

const REDACTED = '[REDACTED]';

/**
 * `text` with every occurrence of the API key and secret (also URL-encoded) replaced, for log lines and error
 * messages that might echo a request.
 */
export function redact(text: string, credentials: ExchangeCredentials | null): string {
  if (credentials === null) return text;
  const secrets = new Set<string>();
  for (const value of [credentials.apiKey, credentials.secret]) {
    if (value.length === 0) continue;
    secrets.add(value);
    secrets.add(encodeURIComponent(value));
  }
  // Longest first, so a key that contains the other is replaced whole.
  let result = text;
  for (const value of [...secrets].sort((a, b) => b.length - a.length)) result = result.split(value).join(REDACTED);
  return result;
}
