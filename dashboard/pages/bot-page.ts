/**
 * One bot's page: status with controls, candlestick chart with entries, exits and predictions, equity curve,
 * drift and rolling-Sharpe monitors, trades, decisions, retrain and reconciliation events.
 */
import type { ListedAlert } from '../../db/repositories/alerts-sent';
import type { BotSummary } from '../bots';
import type { botHistory, botMonitors } from '../queries';
import { alertsTable } from './alerts-page';
import { botFields, field, webUiLink } from './bot-cells';
import { controlButton } from './reconciliation-cell';
import { chartsScript } from './bot-charts';
import { CONTROLS_SCRIPT, LIVE_SCRIPT } from './client-js';
import { errorBox, esc, inlineJson, num, page, signed, table, time } from './layout';

export type BotHistory = Awaited<ReturnType<typeof botHistory>>;
export type BotMonitors = Awaited<ReturnType<typeof botMonitors>>;

export interface BotPageData {
  readonly symbol: string;
  readonly mode: 'paper' | 'live';
  readonly bot: BotSummary | null | Error;
  readonly history: BotHistory | Error;
  readonly monitors: BotMonitors | Error;
  readonly alerts: readonly ListedAlert[] | Error;
  readonly uiUrl: string | null;
  readonly namespace: string;
}

function statusSection(d: BotPageData): string {
  if (d.bot instanceof Error) return errorBox('Temporal', d.bot);
  if (d.bot === null) return `<p>Temporal has no bot ${esc(d.symbol)} ${d.mode}.</p>`;
  const b = d.bot;
  const f = botFields(b);
  const controls = b.execution === 'RUNNING' ? ['pause', 'resume', 'flatten', 'stop'].map((c) => controlButton(d.symbol, d.mode, c)).join('') : '';
  const rows: [string, string][] = [
    ['state', field('state', f.state!)],
    ['position', field('position', f.position!)],
    ['equity', field('equity', f.equity!)],
    ['PnL today', field('pnlToday', f.pnlToday!)],
    ['PnL total', field('pnlTotal', f.pnlTotal!)],
    ['last bar', field('lastBar', f.lastBar!)],
    ['champion / challenger', field('models', f.models!)],
    ['bars processed / trades', `${field('bars', f.bars!)} / ${field('trades', f.trades!)}`],
    ['Temporal', `${esc(b.execution)} ${webUiLink(d.uiUrl, d.namespace, b)}`],
  ];
  // Paper bots are not reconciled: their field stays empty.
  const reconRow = `<p>${field('reconciliation', f.reconciliation!)}</p>`;
  return `<div data-bot="${esc(b.workflowId)}">${field('statusError', f.statusError!)}<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>
${controls}<span id="control-result"></span>${reconRow}</div>`;
}

function tablesSection(h: BotHistory): string {
  const trades = table(
    ['side', 'entry', 'entry price', 'exit', 'exit price', 'qty', 'fees', 'net PnL', 'exit reason', 'model'],
    h.trades.map((t) => [
      t.side,
      time(t.entryTime),
      num(t.entryPrice),
      time(t.exitTime),
      num(t.exitPrice),
      num(t.qty, 4),
      num(t.fees, 4),
      signed(t.netPnl),
      esc(t.exitReason),
      esc(t.modelVersion ?? '-'),
    ]),
  );
  const decisions = table(
    ['bar', 'prediction (bp)', 'action', 'reason', 'equity'],
    h.decisions
      .slice(-30)
      .reverse()
      .map((r) => [time(r.openTime), r.prediction === null ? '-' : num(r.prediction * 1e4), esc(r.action), esc(r.reason), num(r.equity)]),
  );
  return `<h2>Trades (${h.tradeCount}, realised ${signed(h.realisedPnl)})</h2>${trades}<h2>Decisions (latest 30)</h2>${decisions}`;
}

function monitorsSection(m: BotMonitors): string {
  const retrains = table(
    ['started', 'reason', 'outcome', 'finished', 'model'],
    m.retrains.map((r) => [time(r.startedAt), esc(r.reason), esc(r.outcome), time(r.finishedAt), esc(r.modelVersion ?? '-')]),
  );
  const recon = table(
    ['recorded', 'bar', 'kind', 'status', 'differences'],
    m.reconciliations.map((r) => [time(r.recordedAt), time(r.barTime), esc(r.kind), esc(r.status), esc(JSON.stringify(r.differences).slice(0, 200))]),
    'no reconciliation events (paper bots are not reconciled)',
  );
  return `<h2>Retrain events</h2>${retrains}<h2>Reconciliation events</h2>${recon}`;
}

export function botPage(d: BotPageData): string {
  const title = `${d.symbol} ${d.mode}`;
  const history = d.history instanceof Error ? null : d.history;
  const monitors = d.monitors instanceof Error ? null : d.monitors;
  const charts = `<div id="price" class="chart"></div><div class="grid"><div id="equity" class="chart small"></div><div id="monitors" class="chart small"></div></div>`;
  const body = [
    `<h1>${esc(title)}</h1>`,
    statusSection(d),
    d.history instanceof Error ? errorBox('PostgreSQL', d.history) : charts,
    history ? tablesSection(history) : '',
    d.monitors instanceof Error ? errorBox('PostgreSQL', d.monitors) : monitors ? monitorsSection(monitors) : '',
    `<h2>Alerts (latest)</h2>${d.alerts instanceof Error ? errorBox('PostgreSQL', d.alerts) : alertsTable(d.alerts, 'no alerts sent for this bot')}`,
  ].join('\n');
  const open = d.bot instanceof Error || d.bot === null ? null : (d.bot.status?.position ?? null);
  const data = `<script>window.BOT=${inlineJson({ symbol: d.symbol, mode: d.mode, history, monitors, open })};</script>`;
  const scripts = history ? `<script src="/assets/echarts.min.js"></script>${data}${chartsScript()}` : '';
  return page(title, body, `${scripts}${LIVE_SCRIPT}${CONTROLS_SCRIPT}`);
}
