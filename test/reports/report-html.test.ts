import { renderReportHtml } from '../../reports/report-html';
import { equityCurve, reportInput, T0 } from './fixtures';

const count = (text: string, pattern: RegExp): number => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;

describe('report.html', () => {
  const input = reportInput();
  const html = renderReportHtml(input);

  it('is a single self-contained page: no external scripts, styles, images or fonts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/src="http/i);
    expect(html).not.toMatch(/href="http/i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain('<svg');
  });

  it('draws one entry and one exit marker per trade, shaped by side and coloured by outcome', () => {
    expect(count(html, /class="marker entry /)).toBe(input.trades.length);
    expect(count(html, /class="marker exit /)).toBe(input.trades.length);
    expect(html).toContain('class="marker entry long"');
    expect(html).toContain('class="marker entry short"');
    expect(html).toContain('class="marker exit win"'); // trade 1: net PnL 12.5
    expect(html).toContain('class="marker exit loss"'); // trade 2: net PnL -7
    // Tooltip: side, prices, PnL and exit reason.
    expect(html).toMatch(
      /<title>Trade 2: SHORT, model v2\nentry 22500 at 2023-03-03 00:30 UTC\nexit 22600 at 2023-03-03 00:31 UTC \(stop_loss\)\nnet PnL -7.00, fees 0.00<\/title>/,
    );
  });

  it('formats the metrics: percentages for fractions, 2 decimals for money', () => {
    expect(html).toMatch(/<code>total_return<\/code><\/td><td class="num">0.06%<\/td>/);
    expect(html).toMatch(/<code>max_drawdown<\/code><\/td><td class="num">1.23%<\/td>/);
    expect(html).toMatch(/<code>avg_loss<\/code><\/td><td class="num">-7.00<\/td>/);
    expect(html).toMatch(/<code>fees<\/code><\/td><td class="num">0.00<\/td>/);
  });

  it('shows funding paid: the metric, a column per trade, and the funding source when given', () => {
    expect(html).toMatch(/Funding paid \(negative: received\) <code>funding<\/code><\/td><td class="num">-0.25<\/td>/);
    expect(html).toMatch(/<th>Fees<\/th><th>Funding<\/th><th>Net PnL<\/th>/);
    expect(html).toMatch(/<td class="num">-0.25<\/td><td class="num win">12.50<\/td>/); // trade 1 received 0.25
    expect(html).not.toContain('<dt>Funding</dt>');
    const withSource = renderReportHtml(reportInput({ fundingSource: 'data/x.funding.csv: 3 rates' }));
    expect(withSource).toContain('<dt>Funding</dt><dd>data/x.funding.csv: 3 rates</dd>');
  });

  it('lists each model with its validation metrics, blank where a model lacks one', () => {
    expect(html).toMatch(/<th>Version<\/th><th>Trained at<\/th><th>rmse<\/th><th>directional_accuracy<\/th><th>ic<\/th>/);
    expect(html).toMatch(/<td>v1<\/td><td>2023-03-03 00:00 UTC<\/td><td class="num">0.000812345<\/td><td class="num">0.5234<\/td><td class="num">0.031<\/td>/);
    expect(html).toMatch(/<td>v2<\/td>.*<td class="num">0.51<\/td><td class="num">-<\/td><\/tr>/);
  });

  it('escapes text from the input, e.g. a script in a model version', () => {
    const evil = '<script>alert("x")</script>';
    const page = renderReportHtml(
      reportInput({
        title: 'A & B',
        trades: [{ ...input.trades[0]!, modelVersion: evil }],
        models: [{ version: evil, trainedAt: T0, metrics: { [evil]: 1 } }],
      }),
    );
    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('<title>A &amp; B</title>');
  });

  it('renders without trades and with a constant equity curve (no NaN or Infinity in the SVG)', () => {
    const page = renderReportHtml(reportInput({ trades: [], equity: equityCurve(30, () => 10_000) }));
    expect(page).toContain('No trades.');
    expect(count(page, /class="marker /)).toBe(0);
    expect(page).not.toMatch(/NaN|Infinity/);
    expect(page).toMatch(/<path class="equity" d="M[\d.]+,[\d.]+ L/);
    expect(page).toMatch(/>10000<\/text>/); // the flat level is labelled on the axis
  });

  it('handles a single equity sample and an empty curve', () => {
    expect(renderReportHtml(reportInput({ trades: [], equity: [{ openTime: T0, equity: 10_000 }] }))).not.toMatch(/NaN|Infinity/);
    expect(renderReportHtml(reportInput({ trades: [], equity: [] }))).toContain('No equity data to chart.');
  });

  it('labels the time axis in UTC and the equity axis with its range', () => {
    expect(html).toMatch(/>03-03 00:00<\/text>/);
    expect(html).toMatch(/>03-03 01:00<\/text>/);
    expect(html).toMatch(/>9990<\/text>/);
    expect(html).toMatch(/>10010<\/text>/);
  });

  it('is deterministic and shows generatedBy only when given', () => {
    expect(renderReportHtml(reportInput())).toBe(html);
    expect(html).not.toContain('<footer>');
    expect(renderReportHtml(reportInput({ generatedBy: 'npm run backtest at 2024-01-01' }))).toContain('<footer>npm run backtest at 2024-01-01</footer>');
  });

  it('keeps a long curve compact without losing its extremes', () => {
    const long = equityCurve(30 * 1440, (k) => (k === 20_000 ? 12_345 : 10_000 + (k % 7)));
    const page = renderReportHtml(reportInput({ trades: [], equity: long }));
    const d = /<path class="equity" d="([^"]+)"/.exec(page)![1]!;
    expect(count(d, /L/)).toBeLessThan(4 * 960);
    const ys = d
      .split(/[ML]/)
      .filter(Boolean)
      .map((p) => Number(p.split(',')[1]));
    // The one-minute spike to 12345 survives (SVG y grows downwards) and so does the floor of 10000,
    // which is the axis minimum and sits on the plot's bottom edge (y = 16 + 300).
    expect(Math.min(...ys)).toBeLessThan(100);
    expect(Math.max(...ys)).toBe(316);
  });
});
