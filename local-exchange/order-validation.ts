// The checks an order's parameters pass before the account touches anything (quantity precision, leverage,
// client ids), answering with the Binance error a real venue would give.
import { binanceErrors } from './binance-errors';
import type { LeverageBracket } from '../domain/trading';
import { BTCUSDT_BRACKETS } from './exchange-info';

// Binance's newClientOrderId / clientAlgoId rule.
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** `quantity` in whole steps of `step`; -1111 when it is not a multiple of the step. */
export function toSteps(quantity: number, step: number): number {
  const steps = quantity / step;
  if (!Number.isFinite(steps) || Math.abs(steps - Math.round(steps)) > 1e-6) throw binanceErrors.precisionOverMaximum();
  return Math.round(steps);
}

/** 1 up to the symbol's highest tier leverage (-4028 otherwise). */
export function checkLeverage(leverage: number, brackets: readonly LeverageBracket[] = BTCUSDT_BRACKETS): void {
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > brackets[0]!.initialLeverage) {
    throw binanceErrors.invalidLeverage(String(leverage));
  }
}

/** The client ids of an account's orders, regular and conditional alike (Binance refuses any id used before). */
export class ClientIds {
  private readonly used = new Set<string>();
  private nextGenerated = 1;

  // Validates the id (or makes one) and refuses one already used by any order of this account.
  claim(requested: string | undefined): string {
    if (requested === undefined) {
      let generated: string;
      do generated = `local-${this.nextGenerated++}`;
      while (this.used.has(generated));
      return generated;
    }
    if (!CLIENT_ID.test(requested)) throw binanceErrors.illegalCharacters('newClientOrderId', '^[\\.A-Z\\:/a-z0-9_-]{1,36}$');
    if (this.used.has(requested)) throw binanceErrors.duplicateClientOrderId();
    return requested;
  }

  /** Records an id once its order is accepted (a refused order leaves its id free). */
  markUsed(id: string): void {
    this.used.add(id);
  }
}
