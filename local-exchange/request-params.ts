/**
 * Typed access to a REST request's parameters (query and form body merged), failing with the error Binance
 * answers for a missing or malformed parameter.
 */
import { binanceErrors } from './binance-errors';

const INTEGER = /^-?\d{1,20}$/;
const DECIMAL = /^\d{1,20}(\.\d{1,20})?$/;

export class RequestParams {
  constructor(private readonly params: URLSearchParams) {}

  /** Query first, then body, as Binance merges them. */
  static merge(rawQuery: string, rawBody: string): URLSearchParams {
    const merged = new URLSearchParams(rawBody);
    for (const [key, value] of new URLSearchParams(rawQuery)) merged.set(key, value);
    return merged;
  }

  get raw(): URLSearchParams {
    return this.params;
  }

  string(name: string): string | undefined {
    const value = this.params.get(name);
    return value === null || value === '' ? undefined : value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw binanceErrors.mandatoryParam(name);
    return value;
  }

  int(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!INTEGER.test(value)) throw binanceErrors.illegalCharacters(name, '^[0-9]{1,20}$');
    return Number(value);
  }

  requiredInt(name: string): number {
    const value = this.int(name);
    if (value === undefined) throw binanceErrors.mandatoryParam(name);
    return value;
  }

  decimal(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!DECIMAL.test(value)) throw binanceErrors.illegalCharacters(name, '^([0-9]{1,20})(\\.[0-9]{1,20})?$');
    return Number(value);
  }

  requiredDecimal(name: string): number {
    const value = this.decimal(name);
    if (value === undefined) throw binanceErrors.mandatoryParam(name);
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.string(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value !== 'true' && value !== 'false') throw binanceErrors.invalidParamValue(name);
    return value === 'true';
  }

  /** `limit` with Binance's default and maximum. */
  limit(fallback: number, max: number): number {
    const value = this.int('limit') ?? fallback;
    if (value < 1 || value > max) throw binanceErrors.invalidParamValue('limit');
    return value;
  }
}
