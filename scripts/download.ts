/**
 * npm run download -- --symbol BTCUSDT --from 2025-01-01 --to 2025-03-01 [--funding] [--out FILE.csv.gz]
 *                     [--base-url URL] [--replace]
 * Binance USD-M history into the database and the files a backtest reads (market-data/download/download.ts).
 * Starts the embedded PostgreSQL when DATABASE_URL is unset and applies migrations. Ctrl-C stops after the page in
 * flight: what was fetched stays stored, and the next run resumes.
 */
import { migrateDatabase, openDatabase } from '../db/client';
import { ensurePostgres } from '../infra/postgres';
import { download } from '../market-data/download/download';
import { ProgressBar } from '../market-data/download/progress-bar';
import { DOWNLOAD_USAGE, parseDownloadArgs } from './lib/download-args';
import { downloadReport } from './lib/download-report';
import { runMain } from './lib/cli';

async function main(): Promise<void> {
  const args = parseDownloadArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(DOWNLOAD_USAGE);
    return;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort(new Error('interrupted: the bars fetched so far are stored; run the same command again to resume'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const pg = await ensurePostgres({ log: (s) => console.error(s) });
  try {
    await migrateDatabase(pg.url);
    const handle = openDatabase(pg.url, { max: 2 });
    const progress = new ProgressBar(`${args.symbol} bars`, process.stderr);
    try {
      const summary = await download(args, {
        db: handle.db,
        signal: stop.signal,
        onProgress: (state) => progress.update(state),
        onRetry: (e) => console.error(`\n${e.what}: ${e.kind === 'rate-limit' ? 'rate-limited' : 'failed'} (${e.error}); retry ${e.attempt} in ${e.waitMs} ms`),
        log: (line) => console.error(line),
      }).finally(() => progress.finish());
      for (const line of downloadReport(summary)) console.log(line);
      if (summary.conflictsKept) {
        console.error("refused to overwrite stored values that differ from the exchange's; no file written (--replace overwrites them)");
        process.exitCode = 1;
      }
    } finally {
      await handle.close();
    }
  } finally {
    // Leave a server someone else started running; stop the one this command started.
    if (pg.startedHere) await pg.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runMain(DOWNLOAD_USAGE, main);
