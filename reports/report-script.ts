/**
 * The page script of report.html (plain ES2017, run by the browser after the inlined ECharts): it reads the
 * embedded chart data and draws the charts. The price chart shows the overview candles of the whole run; on
 * zoom it swaps in finer candles built from the detail chunks of the visible window (1-minute bars once the window
 * is at most `detailMaxBars` minutes), so the page never holds more than a few thousand candles in a series.
 * `window.reportCharts` exposes the instances and the zoom state to the browser test.
 */
import { DECODE_CHUNK_JS } from './detail-chunks';

/** Browser twins of aggregateCandles and bucketMeans (downsample.ts) on decoded candles; checked against them in the tests. */
export const AGGREGATE_JS = `function aggregate(candles, bucket) {
  var out = [], cur = null;
  for (var i = 0; i < candles.length; i++) {
    var c = candles[i], s = Math.floor(c[0] / bucket) * bucket;
    if (cur === null || cur[0] !== s) { cur = [s, c[1], c[2], c[3], c[4]]; out.push(cur); }
    else { cur[2] = c[2]; if (c[3] < cur[3]) cur[3] = c[3]; if (c[4] > cur[4]) cur[4] = c[4]; }
  }
  return out;
}
function means(points, bucket) {
  var out = [], s = NaN, sum = 0, n = 0;
  for (var i = 0; i <= points.length; i++) {
    var p = points[i], k = p ? Math.floor(p[0] / bucket) * bucket : NaN;
    if (!p || k !== s) { if (n > 0) out.push([s, sum / n]); s = k; sum = 0; n = 0; }
    if (p && p[1] !== null) { sum += p[1]; n++; }
  }
  return out;
}`;

const PAGE_JS = String.raw`
var NICE = [1, 5, 15, 30, 60, 120, 240, 480, 720, 1440, 10080], MIN = 60000;
var D = JSON.parse(document.getElementById('report-data').textContent);
var charts = {}, state = { ready: false, level: 'overview', candles: D.overview.candles.length, window: [D.range[0], D.range[1]] };
window.reportCharts = { charts: charts, state: state };
function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
function utc(t) { return new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'; }
function bps(points) { return points.map(function (p) { return [p[0], p[1] === null ? null : Math.round(p[1] * 1e5) / 10]; }); }
function pct(v) { return (v * 100).toFixed(2) + '%'; }
function make(id) {
  var node = document.getElementById(id);
  if (!node) return null;
  charts[id] = echarts.init(node, null, { renderer: 'canvas' });
  return charts[id];
}
function bucketFor(span) {
  for (var i = 0; i < NICE.length; i++) if (span / (NICE[i] * MIN) <= D.maxCandles) return NICE[i] * MIN;
  return Math.ceil(span / D.maxCandles / MIN) * MIN;
}
function detail(from, to) {
  var candles = [], predictions = [];
  D.chunks.forEach(function (c) {
    if (c.t >= to || c.t + c.q.length * MIN <= from) return;
    var d = decodeChunk(c, D.tick);
    for (var i = 0; i < d.candles.length; i++) {
      var t = d.candles[i][0];
      if (t >= from && t < to) { candles.push(d.candles[i]); predictions.push(d.predictions[i]); }
    }
  });
  return { candles: candles, predictions: predictions };
}
// Trades arrive as integers (report-charts.ts): minutes from the range start and prices in ticks.
var trades = D.trades.map(function (t) {
  var entry = D.range[0] + t[1] * MIN;
  return { long: t[0] === 0, entry: entry, entryPrice: px(t[2]), exit: entry + t[3] * MIN, exitPrice: px(t[4]), pnl: t[5], reason: D.exitReasons[t[6]] };
});
function px(ticks) { return Number((ticks * D.tick).toPrecision(12)); }
function tradeText(k) {
  var t = trades[k];
  return 'Trade ' + (k + 1) + ': ' + (t.long ? 'LONG' : 'SHORT') + '<br>entry ' + t.entryPrice + ' at ' + utc(t.entry) +
    '<br>exit ' + t.exitPrice + ' at ' + utc(t.exit) + ' (' + esc(t.reason) + ')<br>net PnL ' + t.pnl.toFixed(2);
}
function priceTooltip(params) {
  var lines = params.length ? [utc(params[0].axisValue)] : [];
  params.forEach(function (p) {
    var v = p.value;
    if (p.seriesId === 'candles') lines.push('O ' + v[1] + ' H ' + v[4] + ' L ' + v[3] + ' C ' + v[2]);
    else if (p.seriesId === 'pred') lines.push('prediction ' + v[1] + ' bps');
    else lines.push(tradeText(v[2]));
  });
  return lines.join('<br>');
}
var entries = [], exits = [];
trades.forEach(function (t, k) {
  entries.push({ value: [t.entry, t.entryPrice, k], symbolRotate: t.long ? 0 : 180, itemStyle: { color: t.long ? '#1f77b4' : '#ff7f0e' } });
  exits.push({ value: [t.exit, t.exitPrice, k], itemStyle: { color: t.pnl > 0 ? '#2ca02c' : '#d62728' } });
});
var zoomSlider = { type: 'slider', xAxisIndex: [0, 1], filterMode: 'weakFilter', bottom: 10, height: 22 };
var price = make('chart-price');
if (price) {
  price.setOption({
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'cross' }, formatter: priceTooltip },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    grid: [{ left: 70, right: 30, top: 30, height: '56%' }, { left: 70, right: 30, top: '70%', height: '14%' }],
    xAxis: [{ type: 'time', min: D.range[0], max: D.range[1] }, { type: 'time', gridIndex: 1, min: D.range[0], max: D.range[1] }],
    yAxis: [{ scale: true }, { scale: true, gridIndex: 1, name: 'bps', splitNumber: 2 }],
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1], filterMode: 'weakFilter' }, zoomSlider],
    series: [
      { id: 'candles', name: 'Price', type: 'candlestick', data: D.overview.candles,
        itemStyle: { color: '#26a69a', color0: '#ef5350', borderColor: '#26a69a', borderColor0: '#ef5350' } },
      { id: 'entries', name: 'Entries', type: 'scatter', symbol: 'triangle', symbolSize: 10, z: 5, data: entries },
      { id: 'exits', name: 'Exits', type: 'scatter', symbol: 'circle', symbolSize: 7, z: 5, data: exits },
      { id: 'pred', name: 'Prediction (bps)', type: 'line', xAxisIndex: 1, yAxisIndex: 1, showSymbol: false, lineStyle: { width: 1 }, data: bps(D.overview.predictions) }
    ]
  });
  var timer = null;
  var refresh = function () {
    var dz = price.getOption().dataZoom[0], span = D.range[1] - D.range[0];
    var from = D.range[0] + span * dz.start / 100, to = D.range[0] + span * dz.end / 100, width = to - from;
    var candles = D.overview.candles, preds = D.overview.predictions, level = 'overview';
    // Load half a window on each side, so a short pan still finds bars while the next swap is pending.
    if (width / MIN <= D.detailMaxBars * 20) {
      var w = detail(from - width / 2, to + width / 2);
      if (width / MIN <= D.detailMaxBars) { candles = w.candles; preds = w.predictions; level = 'detail'; }
      else { var b = bucketFor(width); candles = aggregate(w.candles, b); preds = means(w.predictions, b); level = (b / MIN) + '-minute'; }
    }
    price.setOption({ series: [{ id: 'candles', data: candles }, { id: 'pred', data: bps(preds) }] });
    state.level = level; state.candles = candles.length; state.window = [from, to];
    var note = document.getElementById('zoom-level');
    if (note) note.textContent = level === 'detail' ? '1-minute bars' : level === 'overview' ? (D.overview.bucket / MIN) + '-minute candles (overview)' : level + ' candles';
  };
  price.on('datazoom', function () { clearTimeout(timer); timer = setTimeout(refresh, 60); });
}
var eq = make('chart-equity');
if (eq) {
  eq.setOption({
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    grid: [{ left: 80, right: 30, top: 30, height: '52%' }, { left: 80, right: 30, top: '68%', height: '16%' }],
    xAxis: [{ type: 'time' }, { type: 'time', gridIndex: 1 }],
    yAxis: [{ scale: true, name: 'USDT' }, { gridIndex: 1, name: 'drawdown', axisLabel: { formatter: pct } }],
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1] }, zoomSlider],
    series: [
      { name: 'Strategy equity', type: 'line', showSymbol: false, data: D.equity },
      { name: 'Buy and hold (no fees)', type: 'line', showSymbol: false, lineStyle: { type: 'dashed' }, data: D.buyHold },
      { name: 'Drawdown', type: 'line', xAxisIndex: 1, yAxisIndex: 1, showSymbol: false, areaStyle: { opacity: 0.3 }, color: '#c0392b', data: D.drawdown }
    ]
  });
}
var mq = make('chart-models');
if (mq) {
  mq.setOption({
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    grid: { left: 70, right: 130, top: 56, bottom: 60 },
    xAxis: { type: 'time' },
    yAxis: [{ name: 'IC', scale: true }, { name: 'RMSE/zero', scale: true, position: 'right', nameGap: 28 }, { name: 'best iter.', position: 'right', offset: 70, nameGap: 12, splitLine: { show: false } }],
    dataZoom: [{ type: 'inside' }, { type: 'slider', bottom: 10, height: 22 }],
    series: [
      { name: 'IC', type: 'line', data: D.models.map(function (m) { return [m[0], m[1]]; }) },
      { name: 'RMSE / zero baseline', type: 'line', yAxisIndex: 1, data: D.models.map(function (m) { return [m[0], m[2]]; }) },
      { name: 'Best iteration', type: 'scatter', yAxisIndex: 2, symbolSize: 5, data: D.models.map(function (m) { return [m[0], m[3]]; }) }
    ]
  });
}
var fi = make('chart-importance');
if (fi) {
  var rows = D.importance.slice().reverse();
  fi.setOption({
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: pct },
    grid: { left: 140, right: 40, top: 10, bottom: 30 },
    xAxis: { type: 'value', axisLabel: { formatter: pct } },
    yAxis: { type: 'category', data: rows.map(function (r) { return r[0]; }) },
    series: [{ name: 'Share of gain', type: 'bar', data: rows.map(function (r) { return r[1]; }) }]
  });
}
window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
state.ready = true;
`;

/** The page's <script> element: the decoders, then the chart code, in a function scope. */
export function reportScriptTag(): string {
  const js = `(function () {\n'use strict';\n${DECODE_CHUNK_JS}\n${AGGREGATE_JS}\n${PAGE_JS}})();`;
  return `<script>${js.replace(/<\/script/gi, '<\\/script')}</script>`;
}
