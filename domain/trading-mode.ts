/** Paper trading simulates fills with the engine; live trading sends orders to the exchange (an explicit opt-in). */
export const TRADING_MODES = ['paper', 'live'] as const;
export type TradingMode = (typeof TRADING_MODES)[number];
