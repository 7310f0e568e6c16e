/**
 * The report metrics of strategy.md ("Report metrics", summary.json names), in display order, with the
 * formatting rule of each: percentages for fractions, 2 decimals for money.
 */
import type { PerformanceMetrics } from '../domain/trading';
import { formatFixed, formatMoney, formatPercent, formatSignificant } from './display-format';
import type { Metrics } from './types';

type MetricKind = 'money' | 'percent' | 'count' | 'ratio' | 'minutes';

interface MetricSpec {
  readonly name: keyof PerformanceMetrics;
  readonly label: string;
  readonly kind: MetricKind;
}

export const SUMMARY_METRICS: readonly MetricSpec[] = [
  { name: 'net_pnl', label: 'Net PnL', kind: 'money' },
  { name: 'total_return', label: 'Total return', kind: 'percent' },
  { name: 'trades', label: 'Trades', kind: 'count' },
  { name: 'win_rate', label: 'Win rate (net PnL > 0)', kind: 'percent' },
  { name: 'avg_win', label: 'Average win', kind: 'money' },
  { name: 'avg_loss', label: 'Average loss', kind: 'money' },
  { name: 'profit_factor', label: 'Profit factor', kind: 'ratio' },
  { name: 'expectancy', label: 'Expectancy per trade', kind: 'money' },
  { name: 'fees', label: 'Fees paid', kind: 'money' },
  { name: 'funding', label: 'Funding paid (negative: received)', kind: 'money' },
  { name: 'sharpe', label: 'Sharpe (annualised)', kind: 'ratio' },
  { name: 'sortino', label: 'Sortino (annualised)', kind: 'ratio' },
  { name: 'max_drawdown', label: 'Maximum drawdown', kind: 'percent' },
  { name: 'calmar', label: 'Calmar', kind: 'ratio' },
  { name: 'exposure', label: 'Exposure (bars in a position)', kind: 'percent' },
  { name: 'avg_holding_minutes', label: 'Average holding (minutes)', kind: 'minutes' },
];

const SPEC_BY_NAME = new Map<string, MetricSpec>(SUMMARY_METRICS.map((spec) => [spec.name, spec]));

/** Shown for a summary metric that the input lacks, so that a gap is visible rather than silently dropped. */
export const MISSING_VALUE = '-';

/** Shown for a metric that is present but null: it cannot be measured on this run (calmar without a drawdown). */
export const NOT_MEASURABLE = 'n/a';

/** Formats one metric by its name; names outside the summary list get 6 significant digits. */
export function formatMetric(name: string, value: number | null | undefined): string {
  if (value === undefined) return MISSING_VALUE;
  if (value === null) return NOT_MEASURABLE;
  switch (SPEC_BY_NAME.get(name)?.kind) {
    case 'money':
      return formatMoney(value);
    case 'percent':
      return formatPercent(value);
    case 'count':
      return Number.isInteger(value) ? String(value) : formatSignificant(value, 6);
    case 'ratio':
      return formatFixed(value, 2);
    case 'minutes':
      return formatFixed(value, 1);
    default:
      return formatSignificant(value, 6);
  }
}

export interface MetricLine {
  readonly name: string;
  readonly label: string;
  readonly value: string;
}

/** Every summary metric in the fixed order (missing ones marked), then any extra metrics in input order. */
export function metricLines(metrics: Metrics): MetricLine[] {
  const lines: MetricLine[] = SUMMARY_METRICS.map(({ name, label }) => ({ name, label, value: formatMetric(name, metrics[name]) }));
  for (const [name, value] of Object.entries(metrics)) {
    if (!SPEC_BY_NAME.has(name)) lines.push({ name, label: name, value: formatMetric(name, value) });
  }
  return lines;
}
