/**
 * The symbols of the scale benchmark: BTCUSDT (the shipped real bars) and up to 49 more Binance USD-M perpetual
 * names, each trading a STAND-IN series (market-data/stand-in-bars.ts), labelled so in every output.
 */
export const BENCH_SYMBOLS = [
  'BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT', 'ADAUSDT', 'AVAXUSDT', 'LINKUSDT', 'DOTUSDT',
  'LTCUSDT', 'TRXUSDT', 'BCHUSDT', 'ATOMUSDT', 'UNIUSDT', 'ETCUSDT', 'XLMUSDT', 'FILUSDT', 'NEARUSDT', 'APTUSDT',
  'ARBUSDT', 'OPUSDT', 'INJUSDT', 'SUIUSDT', 'AAVEUSDT', 'ALGOUSDT', 'SANDUSDT', 'MANAUSDT', 'AXSUSDT', 'EGLDUSDT',
  'THETAUSDT', 'EOSUSDT', 'XTZUSDT', 'CHZUSDT', 'GALAUSDT', 'CRVUSDT', 'LDOUSDT', 'RUNEUSDT', 'SNXUSDT', 'COMPUSDT',
  'DYDXUSDT', 'KAVAUSDT', 'ZECUSDT', 'DASHUSDT', 'ENJUSDT', 'ONEUSDT', 'ICPUSDT', 'SEIUSDT', 'HBARUSDT', 'TIAUSDT',
] as const; // prettier-ignore

/** The first `count` benchmark symbols. */
export function benchSymbols(count: number): string[] {
  if (!(Number.isInteger(count) && count >= 1 && count <= BENCH_SYMBOLS.length))
    throw new Error(`the benchmark runs 1 to ${BENCH_SYMBOLS.length} symbols, got ${count}`);
  return BENCH_SYMBOLS.slice(0, count);
}
