/**
 * report.html of a portfolio backtest, one offline file (ECharts inlined, no CDN): the data labels first (which
 * symbols trade a STAND-IN series), the portfolio's metrics, its equity and drawdown, every symbol inside the
 * portfolio beside its standalone walk-forward, the refusals by reason and time, the kill switches, the trades.
 */
import { formatMetric, metricLines, SUMMARY_METRICS } from './metric-format';
import { formatMoney, formatUtc } from './display-format';
import { drawdowns, extremes } from './downsample';
import { echartsScriptTag } from './echarts-asset';
import { escapeHtml as esc } from './html-escape';
import { jsonScriptTag } from './json-script';
import { htmlTable, td } from './report-sections';
import type { EquityPoint, Metrics, TradeRow } from './types';

const CURVE_POINTS = 4_000;
const TABLE_ROWS = 1_000;
/** Columns of the per-symbol table: the figures a reader compares first. */
const SYMBOL_COLUMNS = ['net_pnl', 'total_return', 'trades', 'win_rate', 'profit_factor', 'fees', 'exposure', 'sharpe', 'max_drawdown'] as const;

export interface PortfolioReportInput {
  readonly runId: string;
  readonly testFrom: number;
  readonly testTo: number;
  readonly metrics: Metrics;
  readonly equity: readonly EquityPoint[];
  readonly trades: readonly (TradeRow & { readonly symbol: string })[];
  readonly refusals: readonly { readonly time: number; readonly symbol: string; readonly reason: string }[];
  readonly killSwitches: readonly number[];
  readonly symbols: readonly {
    readonly symbol: string;
    readonly dataLabel: string;
    readonly standIn: boolean;
    readonly capital: number;
    readonly inPortfolio: Metrics;
    readonly standalone: Metrics;
  }[];
  readonly notes: readonly string[];
}

const labelOf = (name: string): string => SUMMARY_METRICS.find((m) => m.name === name)?.label ?? name;

function symbolTable(input: PortfolioReportInput): string {
  const headers = ['Symbol', 'Data', 'Capital', 'Run', ...SYMBOL_COLUMNS.map(labelOf)];
  const rows = input.symbols.flatMap((s) =>
    (['inPortfolio', 'standalone'] as const).map(
      (k) =>
        `<tr>${td(s.symbol)}${td(s.standIn ? 'STAND-IN' : 'real', s.standIn ? 'standin' : '')}${td(k === 'inPortfolio' ? formatMoney(s.capital) : '')}${td(k === 'inPortfolio' ? 'in the portfolio' : 'standalone walk-forward')}${SYMBOL_COLUMNS.map((c) => td(formatMetric(c, s[k][c]), 'num')).join('')}</tr>`,
    ),
  );
  return htmlTable(headers, rows);
}

function refusalSection(input: PortfolioReportInput): string {
  if (input.refusals.length === 0) return '<p>No entry was refused.</p>';
  const counts = new Map<string, number>();
  for (const r of input.refusals) counts.set(`${r.symbol} ${r.reason}`, (counts.get(`${r.symbol} ${r.reason}`) ?? 0) + 1);
  const byReason = htmlTable(
    ['Symbol', 'Reason', 'Refused entries'],
    [...counts.entries()].map(([k, n]) => `<tr>${td(k.split(' ')[0]!)}${td(k.split(' ')[1]!)}${td(String(n), 'num')}</tr>`),
  );
  const rows = input.refusals.slice(0, TABLE_ROWS).map((r) => `<tr>${td(formatUtc(r.time))}${td(r.symbol)}${td(r.reason)}</tr>`);
  const more = input.refusals.length > TABLE_ROWS ? `<p>The first ${TABLE_ROWS} of ${input.refusals.length} (refusals.csv has all).</p>` : '';
  return `${byReason}\n<h3>By time</h3>\n${htmlTable(['Minute (UTC)', 'Symbol', 'Reason'], rows)}${more}`;
}

function tradesTable(input: PortfolioReportInput): string {
  const rows = input.trades
    .slice(0, TABLE_ROWS)
    .map(
      (t) =>
        `<tr>${td(t.symbol)}${td(t.side)}${td(formatUtc(t.entryTime))}${td(formatUtc(t.exitTime))}${td(String(t.qty), 'num')}${td(formatMoney(t.netPnl), `num ${t.netPnl > 0 ? 'win' : t.netPnl < 0 ? 'loss' : ''}`.trim())}${td(t.exitReason)}</tr>`,
    );
  const more = input.trades.length > TABLE_ROWS ? `<p>The first ${TABLE_ROWS} of ${input.trades.length} (trades.csv has all).</p>` : '';
  return `${htmlTable(['Symbol', 'Side', 'Entry (UTC)', 'Exit (UTC)', 'Quantity', 'Net PnL', 'Exit reason'], rows)}${more}`;
}

export function portfolioReportHtml(input: PortfolioReportInput): string {
  const standIns = input.symbols.filter((s) => s.standIn);
  const labels = input.symbols.map((s) => `<li${s.standIn ? ' class="standin"' : ''}>${esc(s.dataLabel)}</li>`).join('');
  const metrics = metricLines(input.metrics)
    .map((m) => `<tr>${td(m.label)}${td(m.value, 'num')}</tr>`)
    .join('\n');
  const kills =
    input.killSwitches.length === 0
      ? '<p>The portfolio kill switch did not fire.</p>'
      : `<ul>${input.killSwitches.map((t) => `<li>${esc(formatUtc(t))}: every bot closed its position and entered nothing more that UTC day</li>`).join('')}</ul>`;
  const data = {
    equity: extremes(input.equity, CURVE_POINTS).map((p) => [p.openTime, p.equity]),
    drawdown: extremes(drawdowns(input.equity), CURVE_POINTS).map((p) => [p.openTime, p.equity * 100]),
    kills: input.killSwitches,
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>Portfolio backtest ${esc(input.runId)}</title>
<style>body{font:14px sans-serif;margin:24px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px}td.num{text-align:right}.win{color:#1a7f37}.loss{color:#cf222e}.standin{color:#9a6700;font-weight:bold}.chart{width:100%;height:360px}</style>
${echartsScriptTag()}</head><body>
<h1>Portfolio backtest ${esc(input.runId)}</h1>
<p>Test ${esc(formatUtc(input.testFrom))} .. ${esc(formatUtc(input.testTo))}, ${input.symbols.length} symbols under the portfolio rules (docs/portfolio.md).</p>
<h2>Data</h2><ul>${labels}</ul>
${standIns.length > 0 ? `<p class="standin">${standIns.length} of ${input.symbols.length} symbols trade a STAND-IN series: real market dynamics, not their own prices. Read their figures as a test of the portfolio rules, not as results for those symbols.</p>` : ''}
<h2>Portfolio metrics</h2>${htmlTable(['Metric', 'Value'], [metrics])}
<h2>Portfolio equity and drawdown</h2><div id="equity" class="chart"></div>
<h2>Symbols: in the portfolio and standalone</h2>${symbolTable(input)}
${input.notes.map((n) => `<p>${esc(n)}</p>`).join('\n')}
<h2>Refused entries</h2>${refusalSection(input)}
<h2>Portfolio kill switch</h2>${kills}
<h2>Trades</h2>${tradesTable(input)}
${jsonScriptTag('portfolio-data', data)}
<script>
const D = JSON.parse(document.getElementById('portfolio-data').textContent);
echarts.init(document.getElementById('equity')).setOption({
  tooltip: { trigger: 'axis' }, legend: {}, axisPointer: { link: [{ xAxisIndex: 'all' }] },
  grid: [{ top: 30, height: '52%' }, { top: '70%', height: '20%' }],
  xAxis: [{ type: 'time', gridIndex: 0 }, { type: 'time', gridIndex: 1 }],
  yAxis: [{ type: 'value', scale: true, name: 'equity', gridIndex: 0 }, { type: 'value', name: 'drawdown %', gridIndex: 1 }],
  dataZoom: [{ type: 'inside', xAxisIndex: [0, 1] }, { type: 'slider', xAxisIndex: [0, 1], bottom: 0 }],
  series: [
    { type: 'line', name: 'portfolio equity', showSymbol: false, data: D.equity,
      markLine: { symbol: 'none', data: D.kills.map((t) => ({ xAxis: t })), label: { formatter: 'kill switch' } } },
    { type: 'line', name: 'drawdown', showSymbol: false, xAxisIndex: 1, yAxisIndex: 1, areaStyle: {}, data: D.drawdown },
  ],
});
</script></body></html>
`;
}
