/**
 * The run summary as a fixed-width plain-text table for the terminal (printed by `npm run backtest`).
 * Same formatting as report.html: percentages for fractions, 2 decimals for money.
 */
import { metricLines } from './metric-format';
import type { Metrics } from './types';

const HEADERS = ['metric', 'description', 'value'] as const;

/**
 * Three columns (summary.json name, description, right-aligned value), every summary metric in a fixed
 * order with "-" for a missing one, then any extra metrics. Lines are joined by "\n", no trailing newline.
 */
export function summaryTable(metrics: Metrics): string {
  // Metric names come from the input: keep each on one line.
  const oneLine = (text: string): string => text.replace(/\s/g, ' ');
  const rows = metricLines(metrics).map((m) => [oneLine(m.name), oneLine(m.label), m.value]);
  const widths = HEADERS.map((h, k) => rows.reduce((w, row) => Math.max(w, row[k]!.length), h.length));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, k) => (k === cells.length - 1 ? cell.padStart(widths[k]!) : cell.padEnd(widths[k]!)))
      .join('  ')
      .trimEnd();
  return [format(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format)].join('\n');
}
