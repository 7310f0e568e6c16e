/**
 * Binance's error answers: an HTTP status plus `{code, msg}`. ccxt maps the code (and sometimes the message) to its
 * exception classes, so the codes and messages below are Binance's own wherever Binance has one for the case.
 */
export class BinanceApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
    this.name = 'BinanceApiError';
  }

  toJSON(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

const bad = (code: number, msg: string) => new BinanceApiError(400, code, msg);

/** The errors the local exchange answers with, by Binance code. */
export const binanceErrors = {
  // 1xxx: request problems
  unknown: (msg: string) => new BinanceApiError(500, -1000, msg),
  tooManyRequests: () =>
    new BinanceApiError(
      429,
      -1003,
      'Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API.',
    ),
  ipBanned: () =>
    new BinanceApiError(
      418,
      -1003,
      'Way too many requests; IP(127.0.0.1) banned until further notice. Please use the websocket for live updates to avoid bans.',
    ),
  timestampOutsideRecvWindow: () => bad(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  invalidSignature: () => bad(-1022, 'Signature for this request is not valid.'),
  illegalCharacters: (param: string, legal: string) => bad(-1100, `Illegal characters found in parameter '${param}'; legal range is '${legal}'.`),
  mandatoryParam: (param: string) => bad(-1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  eitherParam: (a: string, b: string) => bad(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  paramNotRequired: (param: string) => bad(-1106, `Parameter '${param}' sent when not required.`),
  precisionOverMaximum: () => bad(-1111, 'Precision is over the maximum defined for this asset.'),
  invalidOrderType: (detail: string) => bad(-1116, `Invalid orderType. ${detail}`),
  invalidSide: () => bad(-1117, 'Invalid side.'),
  invalidInterval: () => bad(-1120, 'Invalid interval.'),
  invalidSymbol: () => bad(-1121, 'Invalid symbol.'),
  invalidParamValue: (param: string) => bad(-1130, `Data sent for parameter '${param}' is not valid.`),
  // 2xxx: order and account problems
  cancelRejected: () => bad(-2011, 'Unknown order sent.'),
  orderDoesNotExist: () => bad(-2013, 'Order does not exist.'),
  apiKeyFormatInvalid: () => new BinanceApiError(401, -2014, 'API-key format invalid.'),
  invalidApiKey: () => new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1'),
  marginInsufficient: () => bad(-2019, 'Margin is insufficient.'),
  orderWouldImmediatelyTrigger: () => bad(-2021, 'Order would immediately trigger.'),
  reduceOnlyRejected: () => bad(-2022, 'ReduceOnly Order is rejected.'),
  // 4xxx: filters and futures-specific rules
  quantityTooSmall: () => bad(-4003, 'Quantity less than or equal to zero.'),
  quantityTooLarge: () => bad(-4005, 'Quantity greater than max quantity.'),
  priceNotOnTick: () => bad(-4014, 'Price not increased by tick size.'),
  invalidLeverage: (leverage: string) => bad(-4028, `Leverage ${leverage} is not valid`),
  maxStopOrders: () => bad(-4045, 'Reach max stop order limit.'),
  noNeedToChangeMarginType: () => bad(-4046, 'No need to change margin type.'),
  noNeedToChangePositionSide: () => bad(-4059, 'No need to change position side.'),
  positionSideMismatch: () => bad(-4061, "Order's position side does not match user's setting."),
  positionSideWithOpenOrders: () => bad(-4067, 'Position side cannot be changed if there exists open orders.'),
  positionSideWithPosition: () => bad(-4068, 'Position side cannot be changed if there exists position.'),
  marginTypeWithPosition: () => bad(-4048, 'Margin type cannot be changed if there exists position.'),
  duplicateClientOrderId: () => bad(-4116, 'ClientOrderId is duplicated.'),
  useAlgoOrderApi: () => bad(-4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.'),
  minNotional: (minNotional: string) => bad(-4164, `Order's notional must be no smaller than ${minNotional} (unless you choose reduce only).`),
  /** Not a Binance code: an endpoint the local exchange does not serve (ccxt raises ExchangeError). */
  notImplemented: (method: string, path: string) => new BinanceApiError(404, -1, `Local exchange: ${method} ${path} is not implemented.`),
} as const;
