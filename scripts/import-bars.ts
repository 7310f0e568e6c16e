/**
 * Imports a 1-minute bar file (plain or gzip CSV; the shared 6-column format or Binance's kline dumps) into
 * PostgreSQL. Starts the embedded PostgreSQL when DATABASE_URL is unset, applies migrations, validates the
 * whole file, then writes it in one transaction: a bad row imports nothing.
 *
 *   npx tsx scripts/import-bars.ts [--file F] [--symbol BTCUSDT] [--source S]
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BarCsvError } from '../domain/bar-csv';
import { BAR_MS } from '../domain/bars';
import { migrateDatabase, openDatabase } from '../db/client';
import { barFileSource, importBars } from '../db/import-bars';
import { barRange } from '../db/repositories/bars';
import { ensurePostgres } from '../infra/postgres';
import { DEFAULT_BAR_FILE, readBarFile } from '../market-data/read-bar-file';

const USAGE = `Usage: npx tsx scripts/import-bars.ts [--file F] [--symbol SYMBOL] [--source S]

  --file F         bar file, plain or .gz (default: ${DEFAULT_BAR_FILE})
                   formats: open_time,open,high,low,close,volume (header optional) or Binance 12-column klines;
                   open_time in Unix ms, or microseconds (16 digits, Binance 2025+ dumps)
  --symbol SYMBOL  symbol to store the bars under (default BTCUSDT)
  --source S       recorded in bars.source (default file:<file name>)
  --help           this text

Uses DATABASE_URL when set, else starts (or reuses) the embedded PostgreSQL.`;

const argsSchema = z.object({
  file: z.string().min(1).default(DEFAULT_BAR_FILE),
  symbol: z
    .string()
    .regex(/^[A-Z0-9]{2,30}$/, 'symbol must be upper-case letters and digits, e.g. BTCUSDT')
    .default('BTCUSDT'),
  source: z.string().min(1).optional(),
});

const iso = (ms: number) => new Date(ms).toISOString();

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        file: { type: 'string' },
        symbol: { type: 'string' },
        source: { type: 'string' },
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
      const r = await importBars(handle.db, args.symbol, parsed, args.source ?? barFileSource(args.file));
      console.log(`${args.file} (${r.format}): ${r.bars} bars of ${r.symbol}, ${iso(r.first)} .. ${iso(r.last + BAR_MS)}`);
      console.log(`  inserted ${r.inserted}, updated ${r.updated}, unchanged ${r.unchanged}`);
      console.log(`  read + validate ${readMs.toFixed(0)} ms, write ${r.writeMs.toFixed(0)} ms (one transaction)`);
      if (r.gaps.length === 0) console.log('  no gaps');
      else {
        const missing = r.gaps.reduce((n, g) => n + g.count, 0);
        console.log(`  ${r.gaps.length} gaps, ${missing} missing minutes:`);
        for (const g of r.gaps.slice(0, 20)) console.log(`    ${iso(g.from)}  ${g.count} min`);
        if (r.gaps.length > 20) console.log(`    ... ${r.gaps.length - 20} more`);
      }
      const range = await barRange(handle.db, args.symbol);
      if (range !== null) {
        console.log(`  ${args.symbol} in the database: ${range.count} bars, ${iso(range.first)} .. ${iso(range.last + BAR_MS)}`);
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
    // File-system errors (ENOENT, EACCES) name the path already; a stack trace would only hide it.
    else if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall !== undefined) {
      console.error(`cannot import: ${err.message}`);
    } else console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
