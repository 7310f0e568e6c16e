import { summaryTable } from '../../reports/summary-table';
import { metrics } from './fixtures';

describe('summaryTable', () => {
  const text = summaryTable(metrics);
  const lines = text.split('\n');

  it('lists every metric by its summary.json name', () => {
    for (const name of Object.keys(metrics)) expect(text).toMatch(new RegExp(`^${name} `, 'm'));
    expect(lines).toHaveLength(2 + Object.keys(metrics).length);
  });

  it('right-aligns values in a fixed-width column', () => {
    const width = lines[1]!.length;
    for (const line of lines.slice(2)) expect(line).toHaveLength(width);
  });

  it('uses percentages for fractions and 2 decimals for money', () => {
    const value = (name: string): string =>
      lines
        .find((l) => l.startsWith(`${name} `))!
        .trim()
        .split(/\s{2,}/)
        .pop()!;
    expect(value('total_return')).toBe('0.06%');
    expect(value('win_rate')).toBe('50.00%');
    expect(value('exposure')).toBe('25.00%');
    expect(value('max_drawdown')).toBe('1.23%');
    expect(value('net_pnl')).toBe('5.50');
    expect(value('avg_loss')).toBe('-7.00');
    expect(value('trades')).toBe('2');
    expect(value('profit_factor')).toBe('1.79');
  });

  it('marks a missing metric and shows extra and non-finite ones', () => {
    const partial = summaryTable({ net_pnl: 1, profit_factor: Infinity, psi: 0.123456789 });
    expect(partial).toMatch(/^sharpe .* -$/m);
    expect(partial).toMatch(/^profit_factor .* inf$/m);
    expect(partial).toMatch(/^psi .* 0\.123457$/m);
  });
});
