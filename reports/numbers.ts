/**
 * Number <-> text for the result files. Written numbers use JavaScript's shortest round-trip digits
 * (the digits of String(n), so Number(text) === n exactly), always in plain positional notation:
 * String(1e-7) is "1e-7", which we expand to "0.0000001" so that no tool meets a surprise exponent.
 * No locale, no thousands separators, "." as the decimal point.
 */

/** Shortest round-trip decimal text of a finite number, never in exponent notation. -0 is written as 0. */
export function plainNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`Cannot write the non-finite number ${n}`);
  if (n === 0) return '0';
  const text = String(n);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const sign = text.startsWith('-') ? '-' : '';
  const [intPart = '', fracPart = ''] = text.slice(sign.length, e).split('.');
  const digits = intPart + fracPart;
  // Position of the decimal point within `digits` once the exponent is applied.
  const point = intPart.length + Number(text.slice(e + 1));
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * A decimal number as other writers may produce it: optional sign, digits, fraction, exponent. Stricter than
 * Number(), which would also take "", " ", "0x10" and "Infinity".
 */
export const DECIMAL_PATTERN = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
