/** results.csv of a sweep: rank, combination id, group, the swept values, then every metric whole / in-sample / held-out. */
import type { GridAxis } from '../domain/sweep/grid';
import type { ComboResult } from '../domain/sweep/ranking';
import { SUMMARY_METRICS } from './metric-format';

// Every metric of strategy.md, in the order summary.json and the report list them.
const METRIC_KEYS = SUMMARY_METRICS.map((m) => m.name);

const PARTS = [
  ['whole', 'whole'],
  ['is', 'inSample'],
  ['oos', 'heldOut'],
] as const;

function cell(v: number | string | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function sweepResultsCsv(axes: readonly GridAxis[], ranked: readonly ComboResult[]): string {
  const header = ['rank', 'combination', 'group', ...axes.map((a) => a.key), ...PARTS.flatMap(([p]) => METRIC_KEYS.map((k) => `${p}_${k}`))];
  const rows = ranked.map((r, i) => [
    i + 1,
    r.index,
    r.group,
    ...axes.map((a) => r.values[a.key]),
    ...PARTS.flatMap(([, part]) => METRIC_KEYS.map((k) => r[part][k])),
  ]);
  return `${[header, ...rows].map((row) => row.map(cell).join(',')).join('\n')}\n`;
}
