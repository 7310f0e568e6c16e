/** A backtest input that cannot be used (option, data file, funding file, configuration): its message says why. */
export class BacktestInputError extends Error {
  override name = 'BacktestInputError';
}
