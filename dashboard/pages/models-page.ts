/** The Models page: the registry (live models) with validation metrics, status and its history, promote and rollback. */
import type { ModelSummary } from '../../db/repositories/models';
import type { ModelStatusEventRow } from '../../db/model-history-schema';
import { CONTROLS_SCRIPT, LIVE_SCRIPT } from './client-js';
import { errorBox, esc, num, page, table, time } from './layout';

function metrics(m: ModelSummary['metrics']): string[] {
  const ratio = typeof m.baselineRmse === 'number' && m.baselineRmse > 0 ? m.rmse / m.baselineRmse : null;
  return [num(ratio, 4), num(m.directionalAccuracy, 3), num(m.ic, 3), num(m.validSharpe, 2)];
}

function button(url: string, body: object, confirm: string, label: string): string {
  return `<button data-post="${esc(url)}" data-body="${esc(JSON.stringify(body))}" data-confirm="${esc(confirm)}">${esc(label)}</button>`;
}

/** Status changes of one model, oldest first. */
export type StatusHistory = ReadonlyMap<string, readonly ModelStatusEventRow[]>;

function historyCell(events: readonly ModelStatusEventRow[] | undefined): string {
  if (events === undefined || events.length === 0) return '-';
  const line = (e: ModelStatusEventRow) => {
    const why = [e.reason, e.actor].filter((x): x is string => x !== null && x !== '').join('; ');
    return `<li data-status-event>${time(e.at)} ${esc(e.fromStatus ?? 'registered')} → <b>${esc(e.toStatus)}</b>${why ? ` (${esc(why)})` : ''}</li>`;
  };
  return `<ul style="margin:0;padding-left:16px;white-space:normal">${events.map(line).join('')}</ul>`;
}

export function modelsPage(models: readonly ModelSummary[] | Error, history: StatusHistory | Error = new Map()): string {
  if (models instanceof Error) return page('Models', `<h1>Models</h1>${errorBox('PostgreSQL', models)}`, LIVE_SCRIPT);
  const symbols = [...new Set(models.map((m) => m.symbol))];
  const rollbacks = symbols
    .map((s) =>
      button('/api/models/rollback', { symbol: s, mode: 'paper' }, `roll back the paper bot ${s} to its previous champion?`, `rollback ${s} (paper bot)`),
    )
    .join('');
  const rows = models.map((m) => [
    esc(m.version),
    esc(m.symbol),
    `<b>${esc(m.status)}</b> since ${time(m.statusChangedAt)}`,
    `${time(m.trainStart)} → ${time(m.trainEnd)}`,
    ...metrics(m.metrics),
    time(m.createdAt),
    history instanceof Error ? '' : historyCell(history.get(m.version)),
    m.status === 'champion'
      ? ''
      : button('/api/models/promote', { version: m.version, mode: 'paper' }, `promote ${m.version} to champion of the paper bot ${m.symbol}?`, 'promote'),
  ]);
  const body = `<h1>Models</h1><p>Promote and rollback signal the running bot (<code>setChampion</code>, as <code>npm run models</code> does); the bot
swaps at its next bar and updates the registry. ${rollbacks} <span id="control-result"></span></p>
${history instanceof Error ? errorBox('status history', history) : ''}
${table(['version', 'symbol', 'status', 'training window (UTC)', 'RMSE / baseline', 'dir. accuracy', 'IC', 'valid Sharpe', 'created', 'status history', ''], rows, 'the registry is empty')}`;
  return page('Models', body, `${LIVE_SCRIPT}${CONTROLS_SCRIPT}`);
}
