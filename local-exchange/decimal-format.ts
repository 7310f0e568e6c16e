/** Number-to-string conversions in Binance's style: plain decimal notation, never exponents, no "-0". */

/** Fixed decimals, as Binance prints balances ("10000.00000000") and quantities ("0.010"). */
export function fixed(value: number, decimals: number): string {
  const s = value.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/**
 * The shortest string that reads back as exactly `value` (market data is served as given), falling back to
 * fixed decimals only where JavaScript would write an exponent (1e-7, 1e21).
 */
export function plain(value: number, maxDecimals = 12): string {
  const s = String(value);
  if (!/e/i.test(s)) return s === '-0' ? '0' : s;
  return fixed(value, maxDecimals)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}
