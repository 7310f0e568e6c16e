import { DEFAULT_TRADING_PARAMS, readTradingParams, type LegacyTradingParams } from '../../../domain/trading';

test('current trading parameters are read as they are', () => {
  expect(readTradingParams(DEFAULT_TRADING_PARAMS)).toBe(DEFAULT_TRADING_PARAMS);
});

test('parameters written before the fraction fields were renamed (running bots, stored schedules) read the same', () => {
  const { stopLossFraction, takeProfitFraction, maxDailyDrawdownFraction, ...rest } = DEFAULT_TRADING_PARAMS;
  const legacy: LegacyTradingParams = {
    ...rest,
    stopLossPct: stopLossFraction,
    takeProfitPct: takeProfitFraction,
    maxDailyDrawdownPct: maxDailyDrawdownFraction,
  };
  expect(readTradingParams(legacy)).toEqual(DEFAULT_TRADING_PARAMS);
  expect(readTradingParams(legacy)).not.toHaveProperty('stopLossPct');
});
