/**
 * What a live start asks of the account, against the local exchange with the real ccxt client: one-way mode,
 * isolated margin and the configured leverage are set; hedge mode, or a position already open in cross margin, is
 * refused with what to change.
 */
import { LiveAccountRefusedError, prepareLiveAccount } from '../../app/prepare-live-account';
import { createRestClient, type RestClient } from '../../binance/exchange-client';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { loadShippedBars } from '../helpers/shipped-data';

const SYMBOL = 'BTC/USDT:USDT';
let exchange: LocalExchange;
let rest: RestClient;
let settings: { kind: 'local'; baseUrl: string; apiKey: string; apiSecret: string };

beforeEach(async () => {
  exchange = await LocalExchange.start({ bars: loadShippedBars(), startIndex: 4320, speed: 0, port: 0 });
  settings = { kind: 'local', baseUrl: exchange.baseUrl, apiKey: exchange.apiKey, apiSecret: exchange.apiSecret };
  rest = createRestClient(settings);
});
afterEach(async () => {
  await rest.close();
  await exchange.stop();
});

test('sets isolated margin and the leverage on a fresh account (Binance starts cross, 20x)', async () => {
  expect(exchange.state()).toMatchObject({ leverage: 20, marginType: 'CROSSED' });
  const prepared = await prepareLiveAccount(settings, 'BTCUSDT', 3);
  expect(prepared).toMatchObject({ leverage: 3, marginMode: 'isolated', positionMode: 'one-way' });
  // The account's own brackets, for the liquidation model: tiers from a notional of 0 upwards.
  expect(prepared.brackets[0]).toMatchObject({ notionalFloor: 0, maintMarginRatio: 0.004 });
  expect(exchange.state()).toMatchObject({ leverage: 3, marginType: 'ISOLATED' });
  // Again (a restart): nothing to change is not an error.
  await expect(prepareLiveAccount(settings, 'BTCUSDT', 3)).resolves.toMatchObject({ leverage: 3 });
});

test('refuses hedge mode', async () => {
  await rest.setPositionMode(true);
  await expect(prepareLiveAccount(settings, 'BTCUSDT', 1)).rejects.toThrow(/hedge mode.*one-way/);
});

test('refuses a position open in cross margin, accepts one in isolated margin', async () => {
  await rest.createOrder(SYMBOL, 'market', 'buy', 0.01);
  const refused = prepareLiveAccount(settings, 'BTCUSDT', 1);
  await expect(refused).rejects.toBeInstanceOf(LiveAccountRefusedError);
  await expect(refused).rejects.toThrow(/position open in cross margin/);
  await rest.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { reduceOnly: true });
  await rest.setMarginMode('isolated', SYMBOL);
  await rest.createOrder(SYMBOL, 'market', 'buy', 0.01);
  await expect(prepareLiveAccount(settings, 'BTCUSDT', 2)).resolves.toMatchObject({ leverage: 2 });
});

test('refuses a leverage Binance does not take', async () => {
  await expect(prepareLiveAccount(settings, 'BTCUSDT', 2.5)).rejects.toThrow(/whole number from 1 to 125/);
});
