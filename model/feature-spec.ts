// The feature list and its constants, apart from the computation so that callers needing only the shape
// (PSI, training sets, LightGBM) do not depend on it, and the engine files can import them without a cycle.
export const FEATURE_NAMES = [
  'ret_1',
  'ret_5',
  'ret_15',
  'ema12_gap',
  'ema26_gap',
  'ema60_gap',
  'macd',
  'vwap60_gap',
  'sma30_gap',
  'rsi14',
  'accel',
  'std15',
  'std60',
  'std_ratio',
  'spread',
  'spread_ma15',
  'vol_ratio',
  'vol_price_div',
  'range_pos60',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
export const N_FEATURES = 19;
/** The first WARMUP_BARS bars of a contiguous history (indices 0..119) are never used. */
export const WARMUP_BARS = 120;
