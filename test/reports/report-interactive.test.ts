/** report.html with chart inputs: the interactive page's structure, offline, escaped; and its size on a SYNTHETIC year. */
import { renderReportHtml, TABLE_TRADES } from '../../reports/report-html';
import { reportInput, T0 } from './fixtures';
import { syntheticReportInput } from './synthetic-run';

const MIN = 60_000;
const bars = Array.from({ length: 61 }, (_, k) => ({ openTime: T0 + k * MIN, open: 22_400 + k, high: 22_402 + k, low: 22_399 + k, close: 22_401 + k }));
const charts = {
  bars,
  predictions: { openTime: bars.map((b) => b.openTime), prediction: bars.map((_, k) => (k % 5) / 1e4) },
  modelQuality: [{ version: 'v1', trainedAt: T0, ic: 0.03, rmse: 0.9, baselineRmse: 1, bestIteration: 12 }],
  featureImportance: [{ ret_1: 2, '</script><b>': 1 }],
};

/** The page's text outside <script> elements (where markup from the input could take effect). */
const outsideScripts = (html: string): string => html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '');

describe('interactive report.html', () => {
  const html = renderReportHtml(reportInput({ charts }));

  it('carries ECharts and the data inline: no CDN, no external resource', () => {
    expect(html).toMatch(/<script type="application\/json" id="report-data">/);
    expect(html).toContain('echarts'); // the inlined bundle
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    for (const id of ['chart-price', 'chart-equity', 'chart-models', 'chart-importance']) expect(html).toContain(`<div id="${id}"`);
  });

  it('has the returns, PnL breakdown and buy-and-hold sections', () => {
    expect(html).toContain('<th>Month (UTC)</th><th>Strategy</th><th>Buy and hold</th>');
    // Strategy: 10000 + 10 sin(12) over 10000; buy and hold: the last close 22461 over the first open 22400.
    expect(html).toContain('<td>2023-03</td><td class="num loss">-0.05%</td><td class="num win">0.27%</td>');
    expect(html).toContain('<th>Exit reason</th><th>Trades</th><th>Win rate</th><th>Net PnL</th>');
    expect(html).toMatch(/<td>take_profit<\/td><td class="num">1<\/td><td class="num">100.00%<\/td><td class="num win">12.50<\/td>/);
    expect(html).toMatch(/<td>SHORT<\/td><td class="num">1<\/td><td class="num">0.00%<\/td><td class="num loss">-7.00<\/td>/);
    expect(html).toContain('buy and hold of the same test bars 0.27%');
  });

  it('never lets input text close a script or reach the markup unescaped', () => {
    const scripts = html.match(/<script[^>]*>[\s\S]*?<\/script>/g) ?? [];
    expect(scripts).toHaveLength(3); // data, ECharts, page script: each ends only at its own closing tag
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(outsideScripts(html)).not.toContain('<b>');
  });

  it('says when no feature importance is stored', () => {
    expect(renderReportHtml(reportInput({ charts: { ...charts, featureImportance: [] } }))).toContain('No feature importance stored for these models.');
  });

  it('stays under 15 MB for a SYNTHETIC 365-day run, listing at most TABLE_TRADES trades', () => {
    const input = syntheticReportInput(365);
    const page = renderReportHtml(input);
    const bytes = Buffer.byteLength(page);
    process.stdout.write(`report.html of a SYNTHETIC 365-day run: ${(bytes / 1e6).toFixed(2)} MB, ${input.trades.length} trades\n`);
    expect(input.trades.length).toBeGreaterThan(TABLE_TRADES);
    expect(page).toContain(`The first ${TABLE_TRADES} of ${input.trades.length} trades; trades.csv lists them all.`);
    expect(bytes).toBeLessThan(15e6);
  });
});
