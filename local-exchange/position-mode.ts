/**
 * The account's position mode (GET/POST /fapi/v1/positionSide/dual): one-way (the default, positionSide BOTH) or
 * hedge (dual: separate LONG and SHORT positions). The local exchange can be switched to hedge mode, so a client's
 * check of the mode can be tested, but it only fills one-way orders: in hedge mode it refuses every order.
 */
import { BinanceApiError, binanceErrors } from './binance-errors';

export class PositionMode {
  private dual = false;

  get dualSidePosition(): boolean {
    return this.dual;
  }

  /** Binance's rules: a change needs no position and no open orders; setting the current mode is an error. */
  set(dual: boolean, account: { readonly hasPosition: boolean; readonly openOrders: number }): void {
    if (dual === this.dual) throw binanceErrors.noNeedToChangePositionSide();
    if (account.hasPosition) throw binanceErrors.positionSideWithPosition();
    if (account.openOrders > 0) throw binanceErrors.positionSideWithOpenOrders();
    this.dual = dual;
  }

  /** Checks an order's `positionSide` against the mode (one-way: absent or BOTH). */
  checkOrder(positionSide: string | undefined): void {
    if (!this.dual) {
      if (positionSide !== undefined && positionSide !== 'BOTH') throw binanceErrors.positionSideMismatch();
      return;
    }
    // Binance: in hedge mode an order must say LONG or SHORT.
    if (positionSide === undefined || positionSide === 'BOTH') throw binanceErrors.positionSideMismatch();
    throw new BinanceApiError(400, -1, 'Local exchange: hedge-mode orders (positionSide LONG/SHORT) are not simulated; switch back to one-way mode.');
  }
}
