/** zod schemas of every route's parameters and bodies; a value that fails gets a 400 with the reason. */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { OPERATOR_COMMANDS } from '../contracts/bot';

export const botParams = z.object({
  symbol: z.string().regex(/^[A-Z0-9]{2,20}$/, 'symbol must be a Binance symbol like BTCUSDT'),
  mode: z.enum(['paper', 'live']),
});

export const botFilter = z.object({
  symbol: botParams.shape.symbol.optional(),
  mode: botParams.shape.mode.optional(),
});

/** The Portfolio page, its API and its event stream: which mode's portfolio (default paper). */
export const portfolioQuery = z.object({ mode: botParams.shape.mode.default('paper') });

export const operateBody = z.object({ command: z.enum(OPERATOR_COMMANDS) }).strict();

/** Registry versions look like BTCUSDT-20230304T0000-82557cd6. */
export const promoteBody = z
  .object({ version: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'not a model version'), mode: botParams.shape.mode.default('paper') })
  .strict();

export const rollbackBody = z.object({ symbol: botParams.shape.symbol, mode: botParams.shape.mode.default('paper') }).strict();

/** Backtest run ids as `npm run backtest -- --run-id` accepts them; never a path. */
export const runParams = z.object({ runId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not a backtest run id') });

/** Sweep ids as `npm run sweep -- --id` accepts them; never a path. */
export const sweepParams = z.object({ sweepId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not a sweep id') });

/** The parsed value, or undefined after answering 400 with the first problems. */
export function validated<T>(schema: z.ZodType<T>, value: unknown, reply: FastifyReply): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  void reply.code(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ') });
  return undefined;
}
