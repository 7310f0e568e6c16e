import { tradingParamsFromConfig } from '../../app/trading-params';
import { loadLeverageBrackets, parseLeverageBrackets, withLeverageBrackets } from '../../config/leverage-brackets';
import { ConfigError, loadConfig } from '../../config/load-config';
import { BTCUSDT_PERPETUAL, leverageBracketResponse } from '../../local-exchange/exchange-info';

const params = tradingParamsFromConfig(loadConfig());

describe('leverage brackets shipped as data', () => {
  test("the local exchange serves BTCUSDT's file: a bot fetching the brackets from it gets the backtest's tiers", () => {
    const served = parseLeverageBrackets(leverageBracketResponse(BTCUSDT_PERPETUAL), 'BTCUSDT', 'the local exchange');
    expect(served).toEqual(loadLeverageBrackets('BTCUSDT'));
    expect(served[0]).toEqual({ bracket: 1, initialLeverage: 125, notionalCap: 50_000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 });
  });

  test('a symbol without a file has none', () => {
    expect(loadLeverageBrackets('NOSUCHUSDT')).toBeNull();
  });

  test("Binance's answer is validated: tiers must be contiguous from 0", () => {
    const tiers = [
      { bracket: 1, initialLeverage: 20, notionalCap: 1000, notionalFloor: 0, maintMarginRatio: 0.01, cum: 0 },
      { bracket: 2, initialLeverage: 10, notionalCap: 5000, notionalFloor: 2000, maintMarginRatio: 0.02, cum: 10 },
    ];
    expect(() => parseLeverageBrackets([{ symbol: 'XUSDT', brackets: tiers }], 'XUSDT', 'answer')).toThrow(
      /bracket 2 covers 2000 .. 5000, expected to start at 1000/,
    );
    expect(() => parseLeverageBrackets([{ symbol: 'XUSDT', brackets: [{ ...tiers[0], maintMarginRatio: 'x' }] }], 'XUSDT', 'answer')).toThrow(ConfigError);
    expect(() => parseLeverageBrackets([{ symbol: 'YUSDT', brackets: tiers.slice(0, 1) }], 'XUSDT', 'answer')).toThrow(/no leverage brackets for XUSDT/);
  });
});

describe('withLeverageBrackets: the engine gets the brackets, a configuration that may not start is refused', () => {
  test('the shipped configuration (leverage 1) starts, with the brackets attached', () => {
    expect(withLeverageBrackets(params, 'BTCUSDT').leverageBrackets).toEqual(loadLeverageBrackets('BTCUSDT'));
  });

  test('leverage 80 with the 1 % stop-loss is refused with the reason', () => {
    expect(() => withLeverageBrackets({ ...params, leverage: 80 }, 'BTCUSDT')).toThrow(
      /Configuration refused: trading.stop_loss_pct 1 % lies at or beyond the liquidation price at execution.leverage 80/,
    );
  });

  test('leverage above 1 for a symbol without brackets is refused; leverage 1 runs without them', () => {
    expect(() => withLeverageBrackets({ ...params, leverage: 3 }, 'NOSUCHUSDT')).toThrow(/no config\/leverage-brackets\/NOSUCHUSDT.json is shipped/);
    expect(withLeverageBrackets(params, 'NOSUCHUSDT').leverageBrackets).toBeUndefined();
  });
});
