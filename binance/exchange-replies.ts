// Zod schemas of the ccxt replies the executor reads: every value from the exchange is checked here before
// use, so a changed reply fails with what was unexpected instead of trading on a wrong number.
import { z } from 'zod';

const positiveNumber = z.number().positive();
export const marketSchema = z.object({
  symbol: z.string(),
  settle: z.string(),
  precision: z.object({ amount: positiveNumber, price: positiveNumber }),
  limits: z.object({ amount: z.object({ min: positiveNumber }), cost: z.object({ min: positiveNumber }) }),
});

export const orderSchema = z.object({
  id: z.string().min(1),
  status: z.enum(['open', 'closed', 'canceled', 'expired', 'rejected']),
  side: z.enum(['buy', 'sell']),
  amount: z.number().nullish(),
  filled: z.number().nullish(),
  average: z.number().nullish(),
  triggerPrice: z.number().nullish(),
  reduceOnly: z.boolean().nullish(),
  timestamp: z.number().nullish(),
  lastTradeTimestamp: z.number().nullish(),
  fee: z.object({ cost: z.number().nullish(), currency: z.string().nullish() }).nullish(),
  info: z.object({
    // Regular orders: origType (type is MARKET once triggered); algo orders: orderType.
    origType: z.string().optional(),
    orderType: z.string().optional(),
    type: z.string().optional(),
    // Algo orders: the matching-engine order a triggered order became ('' until then).
    actualOrderId: z.union([z.string(), z.number()]).nullish(),
  }),
});
export type ParsedOrder = z.infer<typeof orderSchema>;
export type ParsedMarket = z.infer<typeof marketSchema>;

export const tradeSchema = z.object({
  order: z.string().nullish(),
  amount: z.number(),
  price: z.number(),
  timestamp: z.number(),
  fee: z.object({ cost: z.number().nullish(), currency: z.string().nullish() }).nullish(),
});
export type ParsedTrade = z.infer<typeof tradeSchema>;

export const positionSchema = z.object({
  symbol: z.string(),
  side: z.enum(['long', 'short']).nullish(),
  contracts: z.number().nullish(),
  contractSize: z.number().nullish(),
  entryPrice: z.number().nullish(),
});

// Binance's /fapi/v3/account (or v2) answer, as ccxt's fetchBalance keeps it in `info`.
export const accountSchema = z.object({
  assets: z.array(z.object({ asset: z.string(), walletBalance: z.string(), unrealizedProfit: z.string() })),
});

export function parseExchangeData<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Unexpected ${what} from the exchange: ${z.prettifyError(result.error)}`);
  return result.data;
}
