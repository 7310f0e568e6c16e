/**
 * Human-facing formatting shared by the HTML report and the terminal summary. Locale-independent
 * (toFixed / toISOString), so output is identical on every machine.
 */
import { plainNumber } from './numbers';

/** Text for values that have no finite representation (e.g. profit factor without losses). */
function nonFinite(n: number): string {
  if (Number.isNaN(n)) return 'n/a';
  return n > 0 ? 'inf' : '-inf';
}

/** Fixed decimals; "-0.00" (a tiny negative rounded away) is shown as "0.00". */
export function formatFixed(n: number, decimals: number): string {
  if (!Number.isFinite(n)) return nonFinite(n);
  // toFixed switches to exponent notation from 1e21 on.
  const text = Math.abs(n) >= 1e21 ? plainNumber(Math.round(n)) : n.toFixed(decimals);
  return /^-0(?:\.0*)?$/.test(text) ? text.slice(1) : text;
}

export function formatMoney(n: number): string {
  return formatFixed(n, 2);
}

/** A fraction shown as a percentage with 2 decimals: 0.0123 -> "1.23%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return nonFinite(fraction);
  return `${formatFixed(fraction * 100, 2)}%`;
}

/**
 * About `digits` significant digits without ever rounding the integer part away
 * (a price of 123456789.5 with 6 digits shows as 123456790, not 123457000).
 */
export function formatSignificant(n: number, digits: number): string {
  if (!Number.isFinite(n)) return nonFinite(n);
  if (n === 0) return '0';
  const integerDigits = Math.floor(Math.log10(Math.abs(n))) + 1;
  if (integerDigits >= digits) return plainNumber(Math.round(n));
  return plainNumber(Number(n.toPrecision(digits)));
}

/** "2023-03-03 14:05 UTC" (seconds only when not zero). */
export function formatUtc(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'invalid time';
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const seconds = iso.slice(17, 23) === '00.000' ? '' : `:${iso.slice(17, 19)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds} UTC`;
}
