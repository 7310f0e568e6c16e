/** The Sweeps page as it renders the rows of `listSweeps`: best combination, in-sample beside held-out, report link, escaping. */
import { sweepsPage } from '../../dashboard/pages/sweeps-page';

const row = {
  sweepId: 'demo-1',
  status: 'completed',
  startedAt: Date.UTC(2026, 11, 2, 10),
  finishedAt: Date.UTC(2026, 11, 2, 10, 5),
  combinations: 48,
  groups: 1,
  selectOn: 'sharpe',
  holdoutFraction: 0.3,
  best: {
    sweepId: 'demo-1',
    values: { 'trading.entry_threshold_bps': 4, 'trading.exit_threshold_bps': 2 },
    inSample: { sharpe: 1.2346 },
    heldOut: { sharpe: -0.5 },
  },
};

test('a completed sweep shows its rank-1 combination, its in-sample and held-out figure, and links its report', () => {
  const html = sweepsPage([row]);
  expect(html).toContain('trading.entry_threshold_bps=4, trading.exit_threshold_bps=2');
  expect(html).toContain('1.235');
  expect(html).toContain('-0.500');
  expect(html).toContain('href="/sweeps/demo-1/report.html"');
});

test('a running sweep has no report link yet, and text from the database is escaped', () => {
  const html = sweepsPage([{ ...row, sweepId: '<b>x', status: 'running', best: null }]);
  expect(html).not.toContain('report.html');
  expect(html).toContain('&lt;b&gt;x');
});

test('an unreachable database is shown, not thrown', () => {
  expect(sweepsPage(new Error('connect ECONNREFUSED'))).toContain('ECONNREFUSED');
});
