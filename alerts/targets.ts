/**
 * How each kind of alert target is addressed: the HTTP request for one event, built without any I/O.
 *
 *   webhook   POST <url>, the event as JSON plus its `text` line, header Idempotency-Key: <event key>
 *   telegram  POST <api base>/bot<token>/sendMessage  { chat_id, text }  (Bot API; plain text, no parse_mode)
 *   slack     POST <incoming webhook url>  { text }   (also Mattermost and other Slack-compatible receivers)
 *   discord   POST <webhook url>  { content, allowed_mentions: { parse: [] } }  (no @everyone pings from text)
 *
 * Every request carries the Idempotency-Key header (receivers that do not know it ignore it). Secrets (URLs with
 * tokens, bot tokens) are in the target only; reports name targets by `name`, never by URL.
 */
import { alertText, type AlertEvent } from './alert-event';

export const TELEGRAM_API_BASE_URL = 'https://api.telegram.org';

export type AlertTarget =
  | { readonly type: 'webhook'; readonly name: string; readonly url: string }
  | { readonly type: 'telegram'; readonly name: string; readonly token: string; readonly chatId: string; readonly apiBaseUrl: string }
  | { readonly type: 'slack'; readonly name: string; readonly url: string }
  | { readonly type: 'discord'; readonly name: string; readonly url: string };

export type AlertTargetType = AlertTarget['type'];

export interface AlertRequest {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: { readonly [name: string]: string };
  readonly body: string;
}

/** Message length limits: Telegram 4096 characters, Discord 2000, Slack advises at most 4000. */
const MAX_TEXT: { readonly [T in AlertTargetType]: number } = { webhook: 4000, telegram: 4096, slack: 4000, discord: 2000 };

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function alertRequest(target: AlertTarget, event: AlertEvent): AlertRequest {
  const text = truncate(alertText(event), MAX_TEXT[target.type]);
  const headers = { 'content-type': 'application/json', 'idempotency-key': event.key };
  const post = (url: string, body: unknown): AlertRequest => ({ url, method: 'POST', headers, body: JSON.stringify(body) });
  switch (target.type) {
    case 'webhook':
      return post(target.url, { ...event, text });
    case 'telegram':
      return post(`${target.apiBaseUrl.replace(/\/+$/, '')}/bot${target.token}/sendMessage`, {
        chat_id: target.chatId,
        text,
        link_preview_options: { is_disabled: true },
      });
    case 'slack':
      return post(target.url, { text });
    case 'discord':
      return post(target.url, { content: text, allowed_mentions: { parse: [] } });
  }
}

/**
 * Whether a failed answer is worth another attempt: timeouts, rate limits and server errors are; other client
 * errors (a revoked webhook, a wrong chat id, a bad token) will fail the same way again.
 */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
