/** How one bot's status shows in a table row or a heading: state, position with its levels, equity, PnL, last bar. */
import type { BotSummary } from '../bots';
import { esc, num, signed, time } from './layout';
import { reconciliationText } from './reconciliation-cell';

export function stateBadge(bot: BotSummary): string {
  return `<span class="state state-${bot.state}">${bot.state}</span>`;
}

export function positionText(bot: BotSummary): string {
  const p = bot.status?.position;
  if (!p) return 'flat';
  const levels = bot.levels ? ` SL ${num(bot.levels.stop)} TP ${num(bot.levels.take)}` : '';
  return `${p.side} ${num(p.qty, 4)} @ ${num(p.entryPrice)}${levels}`;
}

export function lastBarText(bot: BotSummary): string {
  const b = bot.status?.lastBar;
  if (!b) return '-';
  const pred = b.prediction === null ? '-' : `${(b.prediction * 1e4).toFixed(2)} bp`;
  return `${time(b.openTime)} close ${num(b.close)} pred ${pred} ${esc(b.action)}`;
}

export function modelsText(bot: BotSummary): string {
  const s = bot.status;
  if (!s) return '-';
  return `${esc(s.modelVersion)}${s.challenger ? ` / challenger ${esc(s.challenger.version)} (${s.challenger.barsLeft} bars left)` : ''}`;
}

export function webUiLink(uiUrl: string | null, namespace: string, bot: BotSummary): string {
  if (uiUrl === null) return '-';
  const href = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(bot.workflowId)}/${encodeURIComponent(bot.runId)}/history`;
  return `<a href="${esc(href)}" target="_blank" rel="noopener">workflow</a>`;
}

/** The parts of a bot's status that change; live updates (events.ts) send the same HTML to replace them. */
export function botFields(bot: BotSummary): Record<string, string> {
  const s = bot.status;
  return {
    state: stateBadge(bot),
    position: positionText(bot),
    equity: num(s?.equity),
    pnlToday: signed(s?.pnlToday),
    pnlTotal: signed(bot.pnlTotal),
    lastBar: lastBarText(bot),
    models: modelsText(bot),
    bars: String(s?.barsProcessed ?? '-'),
    trades: String(s?.tradesClosed ?? '-'),
    statusError: bot.statusError === null ? '' : `<div class="err">${esc(bot.statusError)}</div>`,
    reconciliation: reconciliationText(bot),
  };
}

export function field(name: string, html: string): string {
  return `<span data-field="${name}">${html}</span>`;
}

/** The cells of a bot's row in the bots table. */
export function botCells(bot: BotSummary, uiUrl: string | null, namespace: string): string[] {
  const f = botFields(bot);
  return [
    `<a href="/bots/${esc(bot.symbol)}/${bot.mode}">${esc(bot.symbol)}</a>`,
    esc(bot.mode),
    field('state', f.state!),
    field('position', f.position!),
    field('equity', f.equity!),
    field('pnlToday', f.pnlToday!),
    field('pnlTotal', f.pnlTotal!),
    field('lastBar', f.lastBar!),
    field('models', f.models!),
    webUiLink(uiUrl, namespace, bot),
  ];
}

export const BOT_HEADERS = ['symbol', 'mode', 'state', 'position', 'equity', 'PnL today', 'PnL total', 'last bar', 'champion / challenger', 'Temporal'];
