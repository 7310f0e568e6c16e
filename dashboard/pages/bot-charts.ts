/**
 * The bot page's ECharts: candlesticks of the recent bars with entry and exit markers and the champion's
 * prediction (bp, right axis), the equity curve, and the drift (max PSI) and rolling-Sharpe monitors. Redrawn from
 * /api/bots/<symbol>/<mode>/history when the live stream reports a new bar.
 */
export function chartsScript(): string {
  return `<script>
(function () {
  var B = window.BOT;
  var price = echarts.init(document.getElementById('price'));
  var equity = echarts.init(document.getElementById('equity'));
  var monitors = echarts.init(document.getElementById('monitors'));
  function t(ms) { return new Date(ms).toISOString().slice(5, 16).replace('T', ' '); }
  var open = B.open;
  function draw(h, m) {
    var times = h.bars.map(function (b) { return t(b.openTime); });
    var marks = [];
    h.trades.forEach(function (tr) {
      var long = tr.side === 'LONG';
      marks.push({ name: 'entry', coord: [t(tr.entryTime), tr.entryPrice], value: long ? 'L' : 'S', itemStyle: { color: long ? '#11772d' : '#b3261e' } });
      marks.push({ name: 'exit', coord: [t(tr.exitTime), tr.exitPrice], value: 'x', symbolRotate: 180, itemStyle: { color: '#555' } });
    });
    if (open) marks.push({ name: 'open entry', coord: [t(open.entryTime), open.entryPrice], value: open.side === 'LONG' ? 'L' : 'S', itemStyle: { color: '#1f5fbf' } });
    var inRange = {}; times.forEach(function (x) { inRange[x] = true; });
    marks = marks.filter(function (mk) { return inRange[mk.coord[0]]; });
    price.setOption({
      animation: false, title: { text: 'price, trades and predictions', textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' }, legend: { data: ['price', 'prediction (bp)'], right: 10 },
      xAxis: { type: 'category', data: times }, dataZoom: [{ type: 'inside', start: 70, end: 100 }, { type: 'slider', height: 18, start: 70, end: 100 }], // the last ~2 h first
      yAxis: [{ scale: true }, { scale: true, name: 'bp', splitLine: { show: false } }],
      series: [
        { name: 'price', type: 'candlestick', data: h.bars.map(function (b) { return [b.open, b.close, b.low, b.high]; }), markPoint: { symbolSize: 28, data: marks } },
        { name: 'prediction (bp)', type: 'line', yAxisIndex: 1, showSymbol: false, lineStyle: { width: 1 },
          data: h.decisions.map(function (d) { return [t(d.openTime), d.prediction === null ? null : d.prediction * 1e4]; }) }
      ]
    }, true);
    equity.setOption({
      animation: false, title: { text: 'equity', textStyle: { fontSize: 13 } }, tooltip: { trigger: 'axis' },
      xAxis: { type: 'time' }, yAxis: { scale: true },
      series: [{ type: 'line', showSymbol: false, data: h.equity.map(function (e) { return [e.openTime, e.equity]; }) }]
    }, true);
    if (!m) return;
    monitors.setOption({
      animation: false, title: { text: 'drift (max PSI) and rolling Sharpe', textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' }, legend: { right: 10 }, xAxis: { type: 'time' }, yAxis: [{ name: 'PSI' }, { name: 'Sharpe' }],
      series: [
        { name: 'max PSI', type: 'line', data: m.drift.map(function (d) { return [d.openTime, d.psi]; }) },
        { name: 'rolling Sharpe', type: 'line', yAxisIndex: 1, data: m.sharpe.map(function (s) { return [s.openTime, s.value]; }) }
      ]
    }, true);
  }
  draw(B.history, B.monitors);
  var lastBar = null;
  document.addEventListener('bots-update', function (e) {
    var bot = (e.detail.bots || []).find(function (b) { return b.symbol === B.symbol && b.mode === B.mode; });
    if (!bot || bot.lastBarTime === lastBar) return;
    lastBar = bot.lastBarTime;
    open = bot.position;
    fetch('/api/bots/' + B.symbol + '/' + B.mode + '/history').then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j) draw(j.history, j.monitors); }).catch(function () {});
  });
  window.addEventListener('resize', function () { price.resize(); equity.resize(); monitors.resize(); });
})();
</script>`;
}
