/**
 * npm run features -- --data FILE.csv --out FILE.csv [--horizon N] [--config FILE]: exports the model's inputs
 * and targets for inspection or research outside the project (pandas, a notebook). No Temporal or database needed.
 */
import { loadConfig } from '../config/load-config';
import { computeFeatureMatrix, forwardReturns, WARMUP_BARS } from '../model/features';
import { writeFileAtomic } from './lib/atomic-write';
import { readBarInput, requireContiguous } from './lib/bar-input';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';
import { featureCsv } from './lib/feature-csv';

const MAX_HORIZON = 24 * 60;

const USAGE = `Usage: npm run features -- --data FILE.csv --out FILE.csv [options]

Computes the 19 model features (docs/features.md) and the target of every bar of a contiguous bar file and
writes them as CSV: open_time (Unix ms), the features in model order, target = c[t+H] / c[t] - 1.
The features' history starts at the file's first bar; its first ${WARMUP_BARS} bars are warm-up and get no row.
The target of the last H bars is not known yet: their target cell is empty.
Numbers are written with full round-trip precision. Needs no Temporal server and no database.

Options:
  --data FILE.csv   bars (CSV of data/README.md or Binance kline dump, .gz ok); must have no gaps
  --out FILE.csv    output file (written whole or not at all)
  --horizon N       target horizon H in minutes (default config training.prediction_horizon_minutes)
  --config FILE     configuration (default config/config.yaml)
  -h, --help        this help`;

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    data: { type: 'string' },
    out: { type: 'string' },
    horizon: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.data === undefined) throw new UsageError('--data FILE.csv is required');
  if (values.out === undefined) throw new UsageError('--out FILE.csv is required');
  const config = loadConfig(values.config);
  const horizon = numberOption('horizon', values.horizon) ?? config.training.prediction_horizon_minutes;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON) {
    throw new Error(`--horizon must be an integer number of minutes between 1 and ${MAX_HORIZON} (got ${horizon})`);
  }

  const input = await readBarInput(values.data);
  const { bars } = input;
  requireContiguous(input, bars, 'between its first and last bar');
  if (bars.length <= WARMUP_BARS) {
    throw new Error(`Data file ${input.file} holds ${bars.length} bars: the first ${WARMUP_BARS} are warm-up, so no feature row would be written`);
  }

  const table = featureCsv(bars, computeFeatureMatrix(bars), forwardReturns(bars, horizon));
  await writeFileAtomic(values.out, table.text);
  const first = new Date(bars[WARMUP_BARS]!.openTime).toISOString();
  const last = new Date(bars[bars.length - 1]!.openTime).toISOString();
  const unknown = Math.min(horizon, table.rows);
  console.log(`Wrote ${table.rows} rows (${first} .. ${last}) to ${values.out}; target horizon ${horizon} min, empty for the last ${unknown} row(s)`);
}

runMain(USAGE, main);
