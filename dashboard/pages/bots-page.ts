/** The Bots page: every bot by symbol and mode, updated live. */
import type { BotSummary } from '../bots';
import { BOT_HEADERS, botCells } from './bot-cells';
import { LIVE_SCRIPT } from './client-js';
import { errorBox, esc, page } from './layout';

export function botsPage(bots: readonly BotSummary[] | Error, uiUrl: string | null, namespace: string): string {
  let body: string;
  if (bots instanceof Error) body = errorBox('Temporal', bots);
  else if (bots.length === 0) body = '<p>No bots in Temporal yet: start one with <code>npm run demo</code> or <code>npm start</code>.</p>';
  else {
    const head = `<tr>${BOT_HEADERS.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
    const rows = bots.map(
      (b) =>
        `<tr data-bot="${esc(b.workflowId)}">${botCells(b, uiUrl, namespace)
          .map((c) => `<td>${c}</td>`)
          .join('')}</tr>`,
    );
    body = `<table id="bots"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
  }
  return page('Bots', `<h1>Bots</h1>${body}`, LIVE_SCRIPT);
}
