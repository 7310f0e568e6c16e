import { renderReportHtml } from '../../reports/report-html';
import { summaryTable } from '../../reports/summary-table';
import { metrics, reportInput } from './fixtures';

// performanceMetrics reports calmar as null when a run has no drawdown: the tables say so instead of "-" (missing).
describe('a null metric is shown as "n/a"', () => {
  const withNull = { ...metrics, calmar: null };

  test('in the terminal summary table', () => {
    const text = summaryTable(withNull);
    expect(text).toMatch(/^calmar .* n\/a$/m);
    expect(summaryTable({ net_pnl: 1 })).toMatch(/^calmar .* -$/m); // absent stays "-"
  });

  test('in report.html', () => {
    const html = renderReportHtml(reportInput({ metrics: withNull }));
    expect(html).toMatch(/<code>calmar<\/code><\/td><td class="num">n\/a<\/td>/);
  });
});
