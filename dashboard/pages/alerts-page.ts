/**
 * The Alerts page (alerts_sent, newest event first: time, symbol, kind, text, each target's outcome) and the same
 * table for one bot's page. Targets show by their configured name: the table holds no URL or token.
 */
import type { ListedAlert } from '../../db/repositories/alerts-sent';
import { LIVE_SCRIPT } from './client-js';
import { errorBox, esc, page, table, time } from './layout';

const OUTCOME_CLASS: Readonly<Record<string, string>> = { sent: 'pos', failed: 'neg', dry_run: '' };

function targetCell(t: ListedAlert['targets'][number]): string {
  const tries = t.attempts > 1 ? ` after ${t.attempts} attempts` : '';
  const why = t.outcome === 'failed' && t.error ? `: ${esc(t.error)}` : '';
  return `<span class="${OUTCOME_CLASS[t.outcome] ?? ''}" data-target="${esc(t.target)}">${esc(t.target)} (${esc(t.targetType)}) ${esc(t.outcome)}${tries}${why}</span>`;
}

export function alertsTable(alerts: readonly ListedAlert[], empty = 'no alerts sent yet (alerts: in config/config.yaml)'): string {
  const rows = alerts.map((a) => [
    time(a.eventAt),
    esc(a.symbol ?? '-'),
    esc(a.mode ?? '-'),
    esc(a.kind),
    // Long texts (an exchange's error) stay readable without widening the table.
    `<span style="white-space:normal">${esc(a.text)}</span>`,
    a.targets.map(targetCell).join('<br>'),
  ]);
  return table(['time (UTC)', 'symbol', 'mode', 'kind', 'text', 'targets'], rows, empty);
}

export function alertsPage(alerts: readonly ListedAlert[] | Error): string {
  const body = alerts instanceof Error ? errorBox('PostgreSQL', alerts) : alertsTable(alerts);
  return page('Alerts', `<h1>Alerts</h1><p>The latest alerts with each target's outcome (retries included).</p>${body}`, LIVE_SCRIPT);
}
