/**
 * npm run synth -- --days N --out FILE-synthetic.csv.gz [--seed N] [--start ISO] [--symbol S] [--price P] [--force]:
 * writes seeded synthetic 1-minute bars (domain/synthetic-bars.ts) in the project's CSV format, for scale tests of
 * features, training and backtests beyond the 21 shipped days. The CSV format has no room for a comment, so the
 * file is labelled synthetic by its name (which must say so) and by a sidecar FILE.synthetic.json.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Bar } from '../domain/bars';
import { SYNTHETIC_GENERATOR, syntheticBars, syntheticParams } from '../domain/synthetic-bars';
import { writeFileAtomic } from './lib/atomic-write';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';

const MAX_DAYS = 3660;
const DEFAULTS = { seed: 1, start: '2024-01-01T00:00:00Z', symbol: 'BTCUSDT', price: 30_000 } as const;
const ROWS_PER_CHUNK = 8192;
const ISO_START = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
// Level 3 instead of the default 6: three times faster for a file about 10 % larger.
const GZIP_LEVEL = 3;

const USAGE = `Usage: npm run synth -- --days N --out FILE.csv[.gz] [options]

Writes SYNTHETIC 1-minute bars (not market data) in the CSV format of data/README.md: contiguous minutes,
GARCH(1,1) volatility clustering, a U-shaped volume cycle over the UTC day, some zero-volume minutes.
The same options always give the same file. Gzip-compressed when FILE ends in .gz. The file name must contain
"synthetic"; the generator, seed and parameters are written beside it to FILE.synthetic.json.

Options:
  --days N        number of days of bars, an integer from 1 to ${MAX_DAYS} (1440 bars a day)
  --out FILE      output file, e.g. btcusdt-1m-synthetic-seed1-365d.csv.gz
  --seed N        integer seed, 0 to 4294967295 (default ${DEFAULTS.seed})
  --start ISO     open time of the first bar, on a minute: a date (UTC) or a time with Z or an offset (default ${DEFAULTS.start})
  --symbol S      symbol recorded in the sidecar (default ${DEFAULTS.symbol})
  --price P       open of the first bar (default ${DEFAULTS.price})
  --force         overwrite an existing --out file
  -h, --help      this help`;

interface SynthArgs {
  readonly days: number;
  readonly out: string;
  readonly seed: number;
  readonly start: number;
  readonly symbol: string;
  readonly price: number;
  readonly force: boolean;
}

function parseArgs(argv: string[]): SynthArgs | 'help' {
  const { values } = parseCli(argv, {
    days: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    start: { type: 'string' },
    symbol: { type: 'string' },
    price: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  if (values.days === undefined) throw new UsageError('--days N is required');
  if (values.out === undefined) throw new UsageError('--out FILE.csv[.gz] is required');

  const days = numberOption('days', values.days)!;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new UsageError(`--days must be an integer from 1 to ${MAX_DAYS} (got '${values.days}')`);
  const seed = numberOption('seed', values.seed) ?? DEFAULTS.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer from 0 to 4294967295 (got '${values.seed}')`);
  const price = numberOption('price', values.price) ?? DEFAULTS.price;
  if (!(price > 0)) throw new UsageError(`--price must be a positive number (got '${values.price}')`);
  const startText = values.start ?? DEFAULTS.start;
  // An explicit zone (or a bare date, which is UTC): "2024-01-01T00:00" alone would be local time, machine-dependent.
  const start = ISO_START.test(startText) ? Date.parse(startText) : Number.NaN;
  if (!Number.isFinite(start) || start < 0)
    throw new UsageError(`--start must be an ISO date or a date-time with Z or an offset, from 1970 on, e.g. ${DEFAULTS.start} (got '${startText}')`);
  if (start % 60_000 !== 0) throw new UsageError(`--start must be on a whole minute (got '${startText}')`);
  const symbol = values.symbol ?? DEFAULTS.symbol;
  if (!/^[A-Z0-9]{2,20}$/.test(symbol)) throw new UsageError(`--symbol must be 2 to 20 capital letters or digits, e.g. BTCUSDT (got '${symbol}')`);

  const name = basename(values.out);
  if (!/\.csv(\.gz)?$/.test(name)) throw new UsageError(`--out must end in .csv or .csv.gz (got '${values.out}')`);
  // The CSV cannot carry a label, so the name does: synthetic bars must never pass for market data.
  if (!/synthetic/i.test(name)) {
    throw new UsageError(
      `--out must have "synthetic" in its file name, e.g. ${symbol.toLowerCase()}-1m-synthetic-seed${seed}-${days}d.csv.gz (got '${values.out}')`,
    );
  }
  return { days, out: resolve(values.out), seed, start, symbol, price, force: values.force === true };
}

/** The CSV text in chunks of rows, so that a year of bars never sits in memory as one string. */
function* csvChunks(bars: Iterable<Bar>): Generator<string> {
  yield 'open_time,open,high,low,close,volume\n';
  let rows: string[] = [];
  for (const b of bars) {
    rows.push(`${b.openTime},${b.open},${b.high},${b.low},${b.close},${b.volume}\n`);
    if (rows.length === ROWS_PER_CHUNK) {
      yield rows.join('');
      rows = [];
    }
  }
  if (rows.length > 0) yield rows.join('');
}

/** Streams the chunks (through gzip for a .gz name) to a temporary file, then renames it: whole or nothing. */
async function writeStreamAtomic(path: string, chunks: Iterable<string>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const source = Readable.from(chunks);
    if (path.endsWith('.gz')) await pipeline(source, createGzip({ level: GZIP_LEVEL }), createWriteStream(temp));
    else await pipeline(source, createWriteStream(temp));
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`Cannot write ${path}: ${(err as Error).message}`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(USAGE);
    return;
  }
  if (existsSync(args.out) && !args.force) throw new Error(`${args.out} exists; refusing to overwrite it (add --force to replace it)`);

  const began = performance.now();
  const minutes = args.days * 1440;
  const params = syntheticParams(args.price);
  const sidecarPath = `${args.out}.synthetic.json`;
  const sidecar = {
    synthetic: true,
    note: 'SYNTHETIC data generated by a seeded random model, not market data',
    generator: SYNTHETIC_GENERATOR,
    seed: args.seed,
    days: args.days,
    bars: minutes,
    start: new Date(args.start).toISOString(),
    symbol: args.symbol,
    price: args.price,
    params,
  };
  // The label first: a data file never exists without it.
  await writeFileAtomic(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`);
  try {
    await writeStreamAtomic(args.out, csvChunks(syntheticBars({ seed: args.seed, start: args.start, minutes, price: args.price, params })));
  } catch (err) {
    await rm(sidecarPath, { force: true }); // no label without its data
    throw err;
  }

  const seconds = (performance.now() - began) / 1000;
  const bytes = (await stat(args.out)).size;
  const last = new Date(args.start + (minutes - 1) * 60_000).toISOString();
  console.log(
    `SYNTHETIC data: wrote ${minutes} bars of ${args.symbol} (${sidecar.start} .. ${last}), seed ${args.seed}, ` +
      `to ${args.out} (${(bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(1)} s; generator and parameters in ${sidecarPath}`,
  );
}

runMain(USAGE, main);
