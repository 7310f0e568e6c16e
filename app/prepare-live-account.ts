/**
 * Before a live bot starts: the account must trade the way strategy.md models it (one-way position mode, isolated
 * margin, execution.leverage). Sets margin mode and leverage on the exchange, and refuses with what to change when the
 * account is in hedge mode or holds the symbol's position in cross margin (Binance cannot switch it with a position
 * open, and the bot's liquidation model would not hold).
 */
import ccxt from 'ccxt';
import { z } from 'zod';
import { createRestClient, marketSymbol } from '../binance/exchange-client';
import type { ExchangeSettings } from '../domain/exchange-settings';
import type { LeverageBracket } from '../domain/trading';
import { parseLeverageBrackets } from '../config/leverage-brackets';

export class LiveAccountRefusedError extends Error {
  override readonly name = 'LiveAccountRefusedError';
}

const positionsSchema = z.array(z.object({ symbol: z.string(), contracts: z.number().nullish(), marginMode: z.string().nullish() }));

export interface PreparedAccount {
  /** The symbol's leverage brackets as this account sees them (the liquidation model's tiers). */
  readonly brackets: LeverageBracket[];
  readonly leverage: number;
  readonly marginMode: 'isolated';
  readonly positionMode: 'one-way';
}

export async function prepareLiveAccount(settings: ExchangeSettings, symbol: string, leverage: number): Promise<PreparedAccount> {
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125) {
    throw new LiveAccountRefusedError(`execution.leverage must be a whole number from 1 to 125 for Binance (got ${leverage})`);
  }
  const rest = createRestClient(settings);
  try {
    const market = marketSymbol(symbol);
    await rest.loadMarkets();
    const mode = await rest.fetchPositionMode(market);
    if (mode.hedged === true) {
      throw new LiveAccountRefusedError(
        `The futures account is in hedge mode (dual-side positions); the bot trades one-way mode. Switch it to one-way in Binance's preferences (or POST /fapi/v1/positionSide/dual dualSidePosition=false) with no position open, then start again.`,
      );
    }
    const positions = positionsSchema.parse(await rest.fetchPositions([market]));
    const open = positions.find((p) => p.symbol === market && Math.abs(p.contracts ?? 0) > 0);
    if (open !== undefined && open.marginMode !== 'isolated') {
      throw new LiveAccountRefusedError(
        `${symbol} has a position open in ${open.marginMode ?? 'cross'} margin; the bot models isolated margin and Binance cannot switch with a position open. Close it (or move it to isolated) and start again.`,
      );
    }
    // Binance answers -4046 "No need to change margin type" when it already is isolated: nothing to do.
    if (open === undefined)
      await rest.setMarginMode('isolated', market).catch((err: unknown) => {
        if (!(err instanceof ccxt.MarginModeAlreadySet)) throw err;
      });
    await rest.setLeverage(leverage, market);
    const brackets = parseLeverageBrackets(await rest.fapiPrivateGetLeverageBracket({ symbol }), symbol, 'the exchange (GET /fapi/v1/leverageBracket)');
    return { brackets, leverage, marginMode: 'isolated', positionMode: 'one-way' };
  } finally {
    await rest.close();
  }
}
