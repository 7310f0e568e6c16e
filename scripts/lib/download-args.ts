/** The options of `npm run download`, checked with zod: what a run will do is known before anything starts. */
import { z } from 'zod';
import { BAR_MS } from '../../domain/bars';
import type { ExchangeSettings } from '../../domain/exchange-settings';
import { parseCli, UsageError } from './cli';

export const DOWNLOAD_USAGE = `Usage: npm run download -- --symbol BTCUSDT --from 2025-01-01 --to 2025-03-01 [options]

Downloads Binance USD-M 1-minute klines (and with --funding the funding-rate history, with mark prices) into the
database (tables bars and funding_rates, market binance-usdm), and with --out into the files a backtest reads.
A second run fetches only what is missing; an interrupted run keeps what it fetched and resumes.

  --symbol S       USDT-margined perpetual, e.g. BTCUSDT (default BTCUSDT)
  --from T         first bar, inclusive: a UTC date (2025-01-01), an ISO time with Z or an offset, or Unix ms
  --to T           end, exclusive (same forms); clamped to the exchange's last closed bar
  --funding        also download the settled funding rates of [from, to)
  --out FILE       also write the bars to FILE (CSV open_time,open,high,low,close,volume; gzip when .gz) and,
                   with --funding, the funding rates to FILE with .funding.csv (funding_time,funding_rate,mark_price)
  --base-url URL   a Binance-compatible server instead of Binance, e.g. the local exchange http://127.0.0.1:8090
  --replace        download the whole range again and overwrite stored bars (and funding rates) that differ;
                   without it, stored values that differ from the exchange's are kept, listed, and the run fails
  -h, --help       this text

Uses DATABASE_URL when set, else starts (or reuses) the embedded PostgreSQL.`;

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A UTC date, an ISO time with a zone, or Unix ms; on a whole minute. */
const time = (name: string) =>
  z.string().transform((text, ctx) => {
    const ms = /^\d{13}$/.test(text) ? Number(text) : ISO.test(text) ? Date.parse(text) : Number.NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `--${name} must be a UTC date (2025-01-01), an ISO time with Z or an offset, or Unix ms (got '${text}')` });
      return z.NEVER;
    }
    if (ms % BAR_MS !== 0) {
      ctx.addIssue({ code: 'custom', message: `--${name} must be on a whole minute (got '${text}')` });
      return z.NEVER;
    }
    return ms;
  });

const argsSchema = z
  .object({
    symbol: z
      .string()
      .regex(/^[A-Z0-9]{2,30}$/, '--symbol must be upper-case letters and digits, e.g. BTCUSDT')
      .default('BTCUSDT'),
    from: time('from'),
    to: time('to'),
    funding: z.boolean().default(false),
    out: z
      .string()
      .regex(/\.csv(\.gz)?$/i, '--out must name a .csv or .csv.gz file')
      .optional(),
    baseUrl: z.url({ protocol: /^https?$/, error: '--base-url must be an http(s) URL, e.g. http://127.0.0.1:8090' }).optional(),
    replace: z.boolean().default(false),
  })
  .refine((a) => a.from < a.to, { message: '--from must be before --to (the range is [from, to))' });

export interface DownloadArgs {
  readonly symbol: string;
  readonly from: number;
  readonly to: number;
  readonly funding: boolean;
  readonly out?: string;
  readonly exchange: ExchangeSettings;
  readonly replace: boolean;
}

export function parseDownloadArgs(argv: string[]): DownloadArgs | 'help' {
  const { values } = parseCli(argv, {
    symbol: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    funding: { type: 'boolean' },
    out: { type: 'string' },
    'base-url': { type: 'string' },
    replace: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) return 'help';
  if (values.from === undefined || values.to === undefined) throw new UsageError('--from and --to are required');
  const checked = argsSchema.safeParse({ ...values, baseUrl: values['base-url'] });
  if (!checked.success) throw new UsageError(checked.error.issues.map((i) => i.message).join('; '));
  const a = checked.data;
  const exchange: ExchangeSettings = a.baseUrl === undefined ? { kind: 'binance' } : { kind: 'local', baseUrl: a.baseUrl.replace(/\/+$/, '') };
  return { symbol: a.symbol, from: a.from, to: a.to, funding: a.funding, out: a.out, exchange, replace: a.replace };
}
