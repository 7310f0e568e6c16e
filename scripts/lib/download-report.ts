/** What `npm run download` prints when it is done: counts, the exchange's gaps, conflicts, the rate and the files. */
import { BAR_MS } from '../../domain/bars';
import { describeSeries } from '../../domain/markets';
import { conflictSummary } from '../../market-data/bar-conflicts';
import type { DownloadSummary } from '../../market-data/download/download';

const iso = (ms: number) => new Date(ms).toISOString();
const count = (n: number) => n.toLocaleString('en-US');

export function downloadReport(s: DownloadSummary): string[] {
  const b = s.bars;
  const seconds = s.elapsedMs / 1000;
  const lines = [
    `${describeSeries(s.series)} ${iso(s.from)} .. ${iso(s.end)}: ${count(b.stored)} of ${count((s.end - s.from) / BAR_MS)} bars stored`,
    `  bars: ${count(b.planned)} missing before, ${count(b.fetched)} fetched in ${b.requests} request(s): inserted ${count(b.inserted)}, ` +
      `replaced ${count(b.replaced)}, unchanged ${count(b.unchanged)}, conflicts ${count(b.conflicts)}`,
    `  ${count(Math.round(seconds > 0 ? b.fetched / seconds : 0))} bars/s over ${seconds.toFixed(1)} s`,
  ];
  if (b.gaps.length === 0) lines.push('  no gaps');
  else {
    const missing = b.gaps.reduce((n, g) => n + (g.to - g.from) / BAR_MS + 1, 0);
    const first = b.gaps[0]!;
    lines.push(
      `  the exchange has no bars for ${count(missing)} minute(s) in ${b.gaps.length} gap(s) (not filled); ` +
        `the first: ${iso(first.from)} .. ${iso(first.to + BAR_MS)} (${(first.to - first.from) / BAR_MS + 1} min)`,
    );
  }
  if (b.conflicts > 0 && s.conflictsKept) lines.push(`  ${conflictSummary(s.series, b.conflicts, b.conflictExamples).replace(/\n/g, '\n  ')}`);
  if (s.funding !== null) {
    const f = s.funding;
    lines.push(
      `  funding: ${count(f.stored)} rates stored (${count(f.withMarkPrice)} with a mark price); ${count(f.fetched)} fetched in ${f.requests} request(s), ` +
        `inserted ${count(f.inserted)}, replaced ${count(f.replaced)}, conflicts ${count(f.conflicts)}`,
    );
    for (const c of s.conflictsKept ? f.conflictExamples : []) {
      lines.push(
        `    ${iso(c.stored.time)} stored rate ${c.stored.rate} mark ${c.stored.markPrice ?? '-'}, exchange ${c.incoming.rate} mark ${c.incoming.markPrice ?? '-'}`,
      );
    }
  }
  if (s.files !== null) lines.push(`  files: ${s.files.bars}${s.files.funding === null ? '' : `, ${s.files.funding}`}`);
  return lines;
}
