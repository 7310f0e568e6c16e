/** The Sweeps page: every parameter sweep, its best combination (ranked in-sample) beside its held-out figure, and its report. */
import type { listSweeps } from '../sweep-queries';
import { LIVE_SCRIPT } from './client-js';
import { errorBox, esc, num, page, table, time } from './layout';

type Sweep = Awaited<ReturnType<typeof listSweeps>>[number];

const metricOf = (metrics: Readonly<Record<string, unknown>> | undefined, key: string): number | null => {
  const v = metrics?.[key];
  return typeof v === 'number' ? v : null;
};

function bestCells(s: Sweep): string[] {
  if (s.best === null) return ['-', '-', '-'];
  const values = Object.entries(s.best.values)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return [esc(values), num(metricOf(s.best.inSample, s.selectOn), 3), num(metricOf(s.best.heldOut, s.selectOn), 3)];
}

export function sweepsPage(list: readonly Sweep[] | Error): string {
  if (list instanceof Error) return page('Sweeps', `<h1>Sweeps</h1>${errorBox('PostgreSQL', list)}`, LIVE_SCRIPT);
  const rows = list.map((s) => [
    esc(s.sweepId),
    esc(s.status),
    time(s.startedAt),
    time(s.finishedAt),
    String(s.combinations),
    String(s.groups),
    `${esc(s.selectOn)} (held out ${num(s.holdoutFraction * 100, 0)} %)`,
    ...bestCells(s),
    s.status === 'completed' ? `<a href="/sweeps/${encodeURIComponent(s.sweepId)}/report.html">report</a>` : '',
  ]);
  const headers = ['sweep', 'status', 'started', 'finished', 'combinations', 'model groups', 'ranked on', 'best (rank 1)', 'in-sample', 'held-out', ''];
  return page('Sweeps', `<h1>Sweeps</h1>${table(headers, rows, 'no sweeps yet (npm run sweep)')}`, LIVE_SCRIPT);
}
