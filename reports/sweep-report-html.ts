/**
 * report.html of a sweep, offline (ECharts inlined): the ranking table (in-sample vs held-out), a heat map of the
 * in-sample ranking metric over the first two swept keys, the equity curves of the top combinations with the split
 * marked, and the in-sample vs held-out scatter (points far below the diagonal: the ranking overfits).
 */
import type { FinishSweepInput } from '../contracts/sweep';
import type { ComboResult } from '../domain/sweep/ranking';
import { echartsScriptTag } from './echarts-asset';
import { escapeHtml } from './html-escape';

const TABLE_ROWS = 50;
const CURVES = 5;

function fmt(v: number | null): string {
  return v === null ? 'n/a' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}

function label(r: ComboResult): string {
  return Object.entries(r.values)
    .map(([k, v]) => `${k.split('.').pop()}=${String(v)}`)
    .join(' ');
}

/** JSON inside a <script>: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function heatmap(request: FinishSweepInput['request'], ranked: readonly ComboResult[]): unknown {
  if (request.axes.length < 2) return null;
  const [x, y] = [request.axes[0]!, request.axes[1]!];
  const best = new Map<string, number>();
  for (const r of ranked) {
    const v = r.inSample[request.selectOn];
    if (v === null) continue;
    // With more than two swept keys a cell shows the best combination it holds.
    const key = `${x.values.indexOf(r.values[x.key]!)},${y.values.indexOf(r.values[y.key]!)}`;
    best.set(key, Math.max(best.get(key) ?? Number.NEGATIVE_INFINITY, v));
  }
  const cells = [...best.entries()].map(([k, v]) => [...k.split(',').map(Number), v]);
  return { xKey: x.key, yKey: y.key, x: x.values.map(String), y: y.values.map(String), cells };
}

export function sweepReportHtml(request: FinishSweepInput['request'], ranked: readonly ComboResult[]): string {
  const m = request.selectOn;
  const rows = ranked
    .slice(0, TABLE_ROWS)
    .map(
      (r, i) =>
        `<tr><td>${i + 1}</td><td>${escapeHtml(label(r))}</td><td>${fmt(r.inSample[m])}</td><td>${fmt(r.heldOut[m])}</td><td>${fmt(r.whole[m])}</td><td>${r.whole.trades}</td><td>${fmt(r.whole.net_pnl)}</td><td>${fmt(r.whole.max_drawdown)}</td></tr>`,
    )
    .join('\n');
  const data = {
    metric: m,
    split: request.splitTime,
    heat: heatmap(request, ranked),
    curves: ranked.slice(0, CURVES).map((r) => ({ name: label(r), data: r.curve })),
    scatter: ranked.map((r) => ({ name: label(r), value: [r.inSample[m], r.heldOut[m]] })).filter((p) => p.value[0] !== null && p.value[1] !== null),
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>Sweep ${escapeHtml(request.sweepId)}</title>
<style>body{font:14px sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:nth-child(2){text-align:left}.chart{width:100%;height:380px}</style>
${echartsScriptTag()}</head><body>
<h1>Sweep ${escapeHtml(request.sweepId)}</h1>
<p>${ranked.length} combinations in ${request.groups} model group(s); ranked on in-sample <b>${escapeHtml(m)}</b>. Test ${new Date(request.testFrom).toISOString()} .. ${new Date(request.testTo).toISOString()}, held out from ${new Date(request.splitTime).toISOString()} (${request.holdoutFraction * 100} %). Held-out figures are never used for ranking: compare them with the in-sample ones to see how much the ranking overfits.</p>
<h2>Ranking</h2>
<table><tr><th>rank</th><th>combination</th><th>${escapeHtml(m)} in-sample</th><th>${escapeHtml(m)} held-out</th><th>${escapeHtml(m)} whole</th><th>trades</th><th>net PnL</th><th>max DD</th></tr>
${rows}</table>
<h2>Heat map (in-sample ${escapeHtml(m)})</h2><div id="heat" class="chart"></div>
<h2>Equity of the top ${CURVES}</h2><div id="curves" class="chart"></div>
<h2>In-sample vs held-out ${escapeHtml(m)}</h2><div id="scatter" class="chart"></div>
<script>
const D = ${scriptJson(data)};
if (D.heat) {
  const vals = D.heat.cells.map((c) => c[2]);
  echarts.init(document.getElementById('heat')).setOption({ tooltip: {}, xAxis: { type: 'category', data: D.heat.x, name: D.heat.xKey }, yAxis: { type: 'category', data: D.heat.y, name: D.heat.yKey },
    visualMap: { min: Math.min(...vals), max: Math.max(...vals), calculable: true, orient: 'horizontal', left: 'center', bottom: 0 }, series: [{ type: 'heatmap', data: D.heat.cells, label: { show: true, formatter: (p) => p.value[2].toFixed(2) } }] });
} else document.getElementById('heat').textContent = 'A heat map needs two swept keys.';
echarts.init(document.getElementById('curves')).setOption({ tooltip: { trigger: 'axis' }, legend: { type: 'scroll' }, xAxis: { type: 'time' }, yAxis: { type: 'value', scale: true },
  series: D.curves.map((c, i) => ({ type: 'line', name: c.name, showSymbol: false, data: c.data, markLine: i === 0 ? { symbol: 'none', data: [{ xAxis: D.split }], label: { formatter: 'split' } } : undefined })) });
echarts.init(document.getElementById('scatter')).setOption({ tooltip: { formatter: (p) => p.name + '<br>' + p.value.map((v) => v.toFixed(3)).join(' / ') }, xAxis: { name: 'in-sample', scale: true }, yAxis: { name: 'held-out', scale: true },
  series: [{ type: 'scatter', data: D.scatter }] });
</script></body></html>
`;
}
