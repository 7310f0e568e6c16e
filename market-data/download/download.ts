/**
 * `npm run download`: Binance USD-M (or any Binance-compatible server, e.g. the local exchange) history of one
 * symbol into the database, and optionally into the files a backtest reads. Steps: check the symbol against the
 * exchange's markets, clamp the range to the last closed bar on the exchange's clock, download the missing bars
 * (and the funding rates), then write the files from what is stored.
 */
import { BAR_MS } from '../../domain/bars';
import type { ExchangeSettings } from '../../domain/exchange-settings';
import { BINANCE_USDM, describeSeries, type SeriesKey } from '../../domain/markets';
import type { Database } from '../../db/client';
import { loadBars } from '../../db/repositories/bars';
import { loadFundingRates } from '../../db/repositories/funding-rates';
import { createRestClient, exchangeNow, marketSymbol, type RestClient } from '../../binance/exchange-client';
import { lastClosedOpenTime } from '../bar-window';
import { downloadBars, type BarDownloadResult } from './download-bars';
import { downloadFunding, type FundingDownloadResult } from './download-funding';
import { DEFAULT_RETRY_POLICY, DownloadError, withRetries, type RetryContext, type RetryEvent, type RetryPolicy } from './exchange-retry';
import { fundingFileFor, writeBarFile, writeFundingFile } from './export-files';
import type { ProgressState } from './progress-bar';

export interface DownloadRequest {
  /** Exchange id of a USDT-margined perpetual, e.g. BTCUSDT. */
  readonly symbol: string;
  /** Bars opening in [from, to) (Unix ms, minute-aligned). */
  readonly from: number;
  readonly to: number;
  readonly funding: boolean;
  readonly replace: boolean;
  /** Bar file to write (plus its .funding.csv with `funding`). */
  readonly out?: string;
  readonly exchange: ExchangeSettings;
}

export interface DownloadDeps {
  readonly db: Database;
  readonly retryPolicy?: RetryPolicy;
  /** ccxt's request timeout (default ccxt's 10 s). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (state: ProgressState) => void;
  readonly onRetry?: (event: RetryEvent) => void;
  readonly log?: (line: string) => void;
}

export interface DownloadSummary {
  readonly series: SeriesKey;
  readonly from: number;
  /** The end actually downloaded: `to`, or one minute past the exchange's last closed bar when `to` is later. */
  readonly end: number;
  readonly bars: BarDownloadResult;
  readonly funding: FundingDownloadResult | null;
  /** Stored values differed from the exchange's and were kept (no --replace): the run failed and wrote no file. */
  readonly conflictsKept: boolean;
  readonly files: { readonly bars: string; readonly funding: string | null } | null;
  readonly elapsedMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The exchange's markets, with the symbol looked up: an unknown one is refused by name. */
async function checkSymbol(rest: RestClient, symbol: string, retry: RetryContext): Promise<string> {
  let unified: string;
  try {
    unified = marketSymbol(symbol);
  } catch (err) {
    throw new DownloadError((err as Error).message);
  }
  const markets = await withRetries('the exchange markets', () => rest.loadMarkets(), retry);
  if (markets[unified] === undefined) {
    const perpetuals = Object.values(markets).filter((m) => m?.swap === true && m.settle === 'USDT').length;
    throw new DownloadError(`The exchange has no USDT-margined perpetual '${symbol}' (ccxt market ${unified}; it lists ${perpetuals} such markets)`);
  }
  return unified;
}

export async function download(request: DownloadRequest, deps: DownloadDeps): Promise<DownloadSummary> {
  const started = performance.now();
  const log = deps.log ?? (() => undefined);
  if (!(request.from < request.to)) throw new DownloadError(`empty range: --from ${iso(request.from)} is not before --to ${iso(request.to)}`);
  // Klines and funding rates are public: no API keys.
  const rest = createRestClient(request.exchange, null);
  if (deps.timeoutMs !== undefined) rest.timeout = deps.timeoutMs;
  const retry: RetryContext = { client: rest, policy: deps.retryPolicy ?? DEFAULT_RETRY_POLICY, signal: deps.signal, onRetry: deps.onRetry };
  try {
    const unified = await checkSymbol(rest, request.symbol, retry);
    // Closed bars only, on the exchange's clock: Binance also serves the bar in progress.
    const now = await withRetries('the exchange time', () => exchangeNow(rest), retry);
    const end = Math.min(request.to, lastClosedOpenTime(now) + BAR_MS);
    if (request.from >= end) {
      throw new DownloadError(`empty range: no bar of [${iso(request.from)}, ${iso(request.to)}) has closed yet (the exchange's time is ${iso(now)})`);
    }
    if (end < request.to) log(`--to is past the exchange's last closed bar: downloading up to ${iso(end)}`);
    const series: SeriesKey = { market: BINANCE_USDM, symbol: request.symbol };
    const source = `${request.exchange.kind}-download`;
    const common = { db: deps.db, rest, marketSymbol: unified, series, from: request.from, end, replace: request.replace, source, retry };

    const bars = await downloadBars({ ...common, onProgress: deps.onProgress });
    if (bars.stored === 0) {
      throw new DownloadError(
        `empty range: the exchange has no bars of ${request.symbol} in [${iso(request.from)}, ${iso(end)}) (not listed yet, or delisted?)`,
      );
    }
    const funding = request.funding ? await downloadFunding(common) : null;

    // Conflicting bars were kept as stored: a file now would mix both, so it waits for the conflicts' resolution.
    const conflictsKept = !request.replace && (bars.conflicts > 0 || (funding?.conflicts ?? 0) > 0);
    let files: DownloadSummary['files'] = null;
    if (request.out !== undefined && !conflictsKept) {
      await writeBarFile(request.out, await loadBars(deps.db, series, request.from, end));
      let fundingFile: string | null = null;
      if (funding !== null) {
        fundingFile = fundingFileFor(request.out);
        await writeFundingFile(fundingFile, await loadFundingRates(deps.db, series, request.from, end));
      }
      files = { bars: request.out, funding: fundingFile };
      log(`wrote ${describeSeries(series)} to ${request.out}${fundingFile === null ? '' : ` and ${fundingFile}`}`);
    }
    return { series, from: request.from, end, bars, funding, conflictsKept, files, elapsedMs: performance.now() - started };
  } finally {
    await rest.close();
  }
}
