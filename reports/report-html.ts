/**
 * report.html of a backtest run: one self-contained page that opens offline (no external resources). With chart
 * inputs it carries interactive ECharts charts (the library inlined, the data embedded as compact JSON, see
 * report-charts.ts); without them a static SVG equity curve. The output depends only on the input, so reruns
 * produce identical files.
 */
import { echartsScriptTag } from './echarts-asset';
import { formatFixed, formatMoney, formatSignificant, formatUtc } from './display-format';
import { renderEquityChartSvg } from './equity-chart-svg';
import { escapeHtml as esc } from './html-escape';
import { jsonScriptTag } from './json-script';
import { formatMetric, metricLines } from './metric-format';
import { buildChartData, buyAndHold } from './report-charts';
import { reportScriptTag } from './report-script';
import { comparisonLine, htmlTable as table, pnlTable, returnsTable, td } from './report-sections';
import type { ModelSummary, ReportInput, TimeRange, TradeRow } from './types';

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 4px; }
h2 { font-size: 1.15em; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
dl.run { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 8px 0; }
dl.run dt { color: #666; }
dl.run dd { margin: 0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; }
th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.95em; color: #555; }
.empty { color: #777; font-style: italic; }
.chart { max-width: 100%; height: auto; font-size: 11px; }
.chart .grid { stroke: #eee; }
.chart .frame { fill: none; stroke: #bbb; }
.chart .tick { fill: #555; }
.chart .axis-title { fill: #333; font-weight: 600; }
.chart .equity { fill: none; stroke: #1f4e99; stroke-width: 1.2; }
.chart .drawdown { fill: #f2b8b8; stroke: #c0392b; stroke-width: 0.8; }
.marker { stroke: #fff; stroke-width: 0.8; }
.long { fill: #1f77b4; }
.short { fill: #ff7f0e; }
.win { fill: #2ca02c; color: #1e7a1e; }
.loss { fill: #d62728; color: #b02020; }
.legend { font-size: 0.85em; color: #555; }
.echart { width: 100%; min-width: 600px; }
details summary { cursor: pointer; margin: 8px 0; }
.note { font-size: 0.85em; color: #555; }
footer { margin-top: 32px; font-size: 0.8em; color: #888; }
`;

function range(r: TimeRange): string {
  return `${formatUtc(r.from)} to ${formatUtc(r.to)}`;
}

function metricsTable(metrics: ReportInput['metrics']): string {
  const rows = metricLines(metrics).map((m) => `<tr><td>${esc(m.label)} <code>${esc(m.name)}</code></td>${td(m.value, 'num')}</tr>`);
  return table(['Metric', 'Value'], rows);
}

function modelsTable(models: readonly ModelSummary[]): string {
  if (models.length === 0) return '<p class="empty">No models.</p>';
  // Union of the metric names in order of first appearance, so models with different metrics still line up.
  const names: string[] = [];
  for (const m of models) for (const name of Object.keys(m.metrics)) if (!names.includes(name)) names.push(name);
  const rows = models.map(
    (m) => `<tr>${td(m.version)}${td(formatUtc(m.trainedAt))}${names.map((n) => td(formatMetric(n, m.metrics[n]), 'num')).join('')}</tr>`,
  );
  return table(['Version', 'Trained at', ...names], rows);
}

/** Trades listed in the page; a long run's full list is in trades.csv (a year can hold tens of thousands). */
export const TABLE_TRADES = 1_000;

function tradesTable(all: readonly TradeRow[]): string {
  if (all.length === 0) return '<p class="empty">No trades.</p>';
  const trades = all.slice(0, TABLE_TRADES);
  const note = all.length > trades.length ? `<p class="note">The first ${trades.length} of ${all.length} trades; trades.csv lists them all.</p>\n` : '';
  const rows = trades.map((t, k) =>
    [
      '<tr>',
      td(String(k + 1), 'num'),
      td(t.side),
      td(formatUtc(t.entryTime)),
      td(formatSignificant(t.entryPrice, 8), 'num'),
      td(formatUtc(t.exitTime)),
      td(formatSignificant(t.exitPrice, 8), 'num'),
      td(formatSignificant(t.qty, 6), 'num'),
      td(formatMoney(t.fees), 'num'),
      td(formatMoney(t.funding), 'num'),
      td(formatMoney(t.netPnl), `num ${t.netPnl > 0 ? 'win' : 'loss'}`),
      td(formatFixed((t.exitTime - t.entryTime) / 60_000, 0), 'num'),
      td(t.exitReason),
      td(t.modelVersion),
      '</tr>',
    ].join(''),
  );
  return (
    note + table(['#', 'Side', 'Entry', 'Entry price', 'Exit', 'Exit price', 'Qty', 'Fees', 'Funding', 'Net PnL', 'Minutes', 'Exit reason', 'Model'], rows)
  );
}

const LEGEND =
  '<p class="legend">Markers: <span class="long">&#9650;</span> LONG entry, <span class="short">&#9660;</span> SHORT entry, ' +
  '<span class="win">&#9679;</span> winning exit, <span class="loss">&#9679;</span> losing exit (net PnL after fees). ' +
  'Hover a marker for the trade. Times are UTC.</p>';

/** The interactive sections and the page's scripts, or the static SVG curve when there are no chart inputs. */
function chartSections(input: ReportInput): { body: string; scripts: string } {
  const { charts, equity, trades, testRange } = input;
  if (charts === undefined) {
    return { body: `<h2>Equity</h2>\n${renderEquityChartSvg(equity, trades)}\n${trades.length > 0 ? LEGEND : ''}`, scripts: '' };
  }
  const data = buildChartData(charts, equity, trades, [testRange.from, testRange.to]);
  const hold = buyAndHold(charts.bars, equity[0]?.equity ?? 0);
  const importance =
    data.importance.length > 0
      ? '<div id="chart-importance" class="echart" style="height:480px"></div>\n<p class="note">Mean share of LightGBM\'s total gain (LGBM_BoosterFeatureImportance) per feature over the run\'s models.</p>'
      : '<p class="empty">No feature importance stored for these models.</p>';
  const body = `<h2>Price, trades and predictions</h2>
<div id="chart-price" class="echart" style="height:600px"></div>
<p class="note">Scroll or drag the slider to zoom and pan; showing <span id="zoom-level">${esc(`${data.overview.bucket / 60_000}-minute candles (overview)`)}</span>. Windows of up to ${data.detailMaxBars} minutes show every 1-minute bar. Markers: triangles are entries (up LONG, down SHORT), circles exits (green winning, red losing after fees). Lower panel: the model's prediction of the forward return in bps. Chart prices are rounded to ${esc(String(data.tick))}. Times are UTC.</p>
<h2>Equity and drawdown</h2>
${comparisonLine(equity, hold)}
<div id="chart-equity" class="echart" style="height:460px"></div>
<h2>Returns</h2>
<h3>Monthly</h3>
${returnsTable(equity, hold, 'month')}
<details><summary>Daily</summary>
${returnsTable(equity, hold, 'day')}
</details>
<h2>PnL by exit reason</h2>
${pnlTable(trades, 'exit reason')}
<h2>PnL by side</h2>
${pnlTable(trades, 'side')}
<h2>Model quality per retrain</h2>
${data.models.length > 0 ? '<div id="chart-models" class="echart" style="height:380px"></div>\n<p class="note">Validation split of each walk-forward model: information coefficient, RMSE over the RMSE of always predicting 0 (below 1 beats it), and the best iteration of early stopping.</p>' : '<p class="empty">No models.</p>'}
<h2>Feature importance</h2>
${importance}`;
  return { body, scripts: `${jsonScriptTag('report-data', data)}\n${echartsScriptTag()}\n${reportScriptTag()}\n` };
}

export function renderReportHtml(input: ReportInput): string {
  const { title, runId, symbol, dataRange, testRange, metrics, trades, models, fundingSource, generatedBy } = input;
  const charts = chartSections(input);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<dl class="run">
<dt>Run</dt><dd>${esc(runId)}</dd>
<dt>Symbol</dt><dd>${esc(symbol)}</dd>
<dt>Data</dt><dd>${esc(range(dataRange))}</dd>
<dt>Test</dt><dd>${esc(range(testRange))}</dd>
${fundingSource === undefined ? '' : `<dt>Funding</dt><dd>${esc(fundingSource)}</dd>\n`}<dt>Trades</dt><dd>${trades.length}</dd>
</dl>
<h2>Summary</h2>
${metricsTable(metrics)}
${charts.body}
<h2>Models</h2>
${modelsTable(models)}
<h2>Trades</h2>
${tradesTable(trades)}
${generatedBy === undefined ? '' : `<footer>${esc(generatedBy)}</footer>\n`}${charts.scripts}</body>
</html>
`;
}
