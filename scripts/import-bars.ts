/**
 * Imports a 1-minute bar file (plain or gzip CSV; the shared 6-column format or Binance's kline dumps) into
 * PostgreSQL. Starts the embedded PostgreSQL when DATABASE_URL is unset, applies migrations, validates the
 * whole file, then writes it in one transaction: a bad row, or a bar that differs from a stored one (unless
 * --replace), imports nothing.
 *
 *   npx tsx scripts/import-bars.ts [--file F] [--symbol BTCUSDT] [--market binanceus-spot] [--source S] [--replace]
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BarCsvError } from '../domain/bar-csv';
import { BAR_MS } from '../domain/bars';
import { BINANCE_USDM, BINANCEUS_SPOT, describeSeries, MARKET_ID_PATTERN } from '../domain/markets';
import { migrateDatabase, openDatabase } from '../db/client';
import { barFileSource, importBars } from '../db/import-bars';
import { barRange } from '../db/repositories/bars';
import { ensurePostgres } from '../infra/postgres';
import { BarConflictError, conflictLines } from '../market-data/bar-conflicts';
import { DEFAULT_BAR_FILE, readBarFile } from '../market-data/read-bar-file';

const USAGE = `Usage: npx tsx scripts/import-bars.ts [--file F] [--symbol SYMBOL] [--market M] [--source S] [--replace]

  --file F         bar file, plain or .gz (default: ${DEFAULT_BAR_FILE})
                   formats: open_time,open,high,low,close,volume (header optional) or Binance 12-column klines;
                   open_time in Unix ms, or microseconds (16 digits, Binance 2025+ dumps)
  --symbol SYMBOL  symbol to store the bars under (default BTCUSDT)
  --market M       market the file's bars are from (default ${BINANCEUS_SPOT}, the shipped data's); bars are
                   stored per (market, symbol), so markets never mix. Binance USD-M futures dumps
                   (data.binance.vision futures/um) are ${BINANCE_USDM}, the market the bot trades
  --source S       recorded in bars.source (default file:<file name>)
  --replace        overwrite stored bars whose values differ from the file's (default: refuse the file,
                   naming the bars that differ)
  --help           this text

Uses DATABASE_URL when set, else starts (or reuses) the embedded PostgreSQL.`;

const argsSchema = z.object({
  file: z.string().min(1).default(DEFAULT_BAR_FILE),
  symbol: z
    .string()
    .regex(/^[A-Z0-9]{2,30}$/, 'symbol must be upper-case letters and digits, e.g. BTCUSDT')
    .default('BTCUSDT'),
  market: z.string().regex(MARKET_ID_PATTERN, `market must be lower-case words joined by '-', e.g. ${BINANCE_USDM}`).default(BINANCEUS_SPOT),
  source: z.string().min(1).optional(),
  replace: z.boolean().default(false),
});

const iso = (ms: number) => new Date(ms).toISOString();

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        file: { type: 'string' },
        symbol: { type: 'string' },
        market: { type: 'string' },
        source: { type: 'string' },
        replace: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    // Unknown options and missing values: say which, then how to call it.
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return undefined;
  }
}

async function main(): Promise<number> {
  const values = parseCommandLine();
  if (values === undefined) return 2;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const checked = argsSchema.safeParse(values);
  if (!checked.success) {
    console.error(`${checked.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}\n\n${USAGE}`);
    return 2;
  }
  const args = checked.data;

  // Validate the whole file before touching the database: a refused file needs no server.
  const t0 = performance.now();
  const parsed = await readBarFile(args.file);
  const readMs = performance.now() - t0;

  const pg = await ensurePostgres({ log: (s) => console.log(s) });
  try {
    await migrateDatabase(pg.url);
    const handle = openDatabase(pg.url, { max: 2 });
    try {
      const series = { market: args.market, symbol: args.symbol };
      const r = await importBars(handle.db, series, parsed, args.source ?? barFileSource(args.file), { replace: args.replace });
      console.log(`${args.file} (${r.format}): ${r.bars} bars of ${describeSeries(series)}, ${iso(r.first)} .. ${iso(r.last + BAR_MS)}`);
      console.log(`  inserted ${r.inserted}, replaced ${r.replaced}, unchanged ${r.unchanged}`);
      if (r.replaced > 0) console.log(`  replaced bars (stored before, file now):\n    ${conflictLines(r.conflictExamples).join('\n    ')}`);
      console.log(`  read + validate ${readMs.toFixed(0)} ms, write ${r.writeMs.toFixed(0)} ms (one transaction)`);
      if (r.gaps.length === 0) console.log('  no gaps');
      else {
        const missing = r.gaps.reduce((n, g) => n + g.count, 0);
        console.log(`  ${r.gaps.length} gaps, ${missing} missing minutes:`);
        for (const g of r.gaps.slice(0, 20)) console.log(`    ${iso(g.from)}  ${g.count} min`);
        if (r.gaps.length > 20) console.log(`    ... ${r.gaps.length - 20} more`);
      }
      const range = await barRange(handle.db, series);
      if (range !== null) {
        console.log(`  ${describeSeries(series)} in the database: ${range.count} bars, ${iso(range.first)} .. ${iso(range.last + BAR_MS)}`);
      }
    } finally {
      await handle.close();
    }
  } finally {
    // Leave a server someone else started running; stop the one this command started.
    if (pg.startedHere) await pg.stop();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof BarCsvError) console.error(`refused, nothing imported: ${err.message}`);
    else if (err instanceof BarConflictError) console.error(err.message);
    // File-system errors (ENOENT, EACCES) name the path already; a stack trace would only hide it.
    else if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall !== undefined) {
      console.error(`cannot import: ${err.message}`);
    } else console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
