import { z } from 'zod';
import { unknownParameter } from './lightgbm-parameters';
import { alertsSchema } from './alerts-schema';
import { portfolioSchema, symbolSchema as symbol } from './portfolio-config';
const positive = z.number().positive();
const positiveInt = z.number().int().positive();
const percent = z.number().gt(0).lt(100);

/** LightGBM parameters are passed through when LightGBM knows them (names or aliases); the few the code relies on are checked. */
const lightgbmParams = z
  .object({
    objective: z.string().default('regression'),
    metric: z.string().default('l2'),
    num_iterations: positiveInt.default(1000),
    early_stopping_round: z.number().int().nonnegative().default(50),
    seed: z.number().int().default(42),
    deterministic: z.boolean().default(true),
  })
  .catchall(z.union([z.string(), z.number(), z.boolean()]))
  .superRefine((params, ctx) => {
    for (const key of Object.keys(params)) {
      const problem = unknownParameter(key);
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });

export const configSchema = z
  .object({
    data: z
      .object({
        /** The one traded symbol, or the first of `symbols`. */
        symbol: symbol.optional(),
        /** Several symbols: one bot each, under the portfolio rules. */
        symbols: z.array(symbol).min(1).optional(),
        rolling_window_hours: positive,
        history_hours: positive,
      })
      .strict()
      .superRefine((d, ctx) => {
        if (d.symbol === undefined && d.symbols === undefined) ctx.addIssue({ code: 'custom', path: ['symbol'], message: 'give data.symbol or data.symbols' });
        const twice = d.symbols?.find((s, i) => d.symbols!.indexOf(s) !== i);
        if (twice !== undefined) ctx.addIssue({ code: 'custom', path: ['symbols'], message: `${twice} is listed twice` });
        if (d.symbol !== undefined && d.symbols !== undefined && !d.symbols.includes(d.symbol))
          ctx.addIssue({
            code: 'custom',
            path: ['symbol'],
            message: `${d.symbol} is not in data.symbols (${d.symbols.join(', ')}); give one of them or leave data.symbol out`,
          });
      })
      .transform(({ symbol: one, symbols, ...rest }) => {
        const list = symbols ?? [one!];
        return { ...rest, symbol: one ?? list[0]!, symbols: list };
      }),
    training: z
      .object({
        train_freq_minutes: positiveInt,
        prediction_horizon_minutes: positiveInt,
        validation_fraction: z.number().gt(0).lt(0.9),
        lightgbm: lightgbmParams,
      })
      .strict(),
    retraining: z
      .object({
        psi_threshold: positive,
        sharpe_threshold: z.number(),
        shadow_mode_minutes: positiveInt,
        psi_window_minutes: positiveInt,
        sharpe_window_minutes: positiveInt,
        min_trigger_interval_minutes: z.number().int().nonnegative(),
        gates: z
          .object({
            max_rmse_vs_baseline: positive,
            min_directional_accuracy: z.number().min(0).max(1),
            min_validation_sharpe: z.number().nullable(),
            shadow_ic_margin: z.number().nonnegative().max(2),
          })
          .strict(),
      })
      .strict(),
    trading: z
      .object({
        entry_threshold_bps: positive,
        exit_threshold_bps: z.number().nonnegative(),
        stop_loss_pct: percent,
        take_profit_pct: percent,
        cooldown_minutes: z.number().int().nonnegative(),
      })
      .strict(),
    execution: z
      .object({
        paper_trading: z.boolean(),
        base_capital: positive,
        max_daily_drawdown_pct: percent,
        position_fraction: z.number().gt(0).max(1),
        leverage: z.number().min(1).max(125),
        taker_fee_bps: z.number().nonnegative().max(100),
        slippage_bps: z.number().nonnegative().max(1000),
        /** Live mode: compare the exchange's position, protective orders and balance with the bot's every N bars. */
        reconcile_every_bars: z.number().int().min(1).max(1440).default(5),
      })
      .strict(),
    backtest: z
      .object({
        train_hours: positive,
        test_hours: positive,
        retrain_minutes: positiveInt,
        data_file: z.string().min(1),
        output_dir: z.string().min(1),
      })
      .strict(),
    alerts: alertsSchema,
    portfolio: portfolioSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const s of Object.keys(c.portfolio.weights))
      if (!c.data.symbols.includes(s))
        ctx.addIssue({
          code: 'custom',
          path: ['portfolio', 'weights', s],
          message: `${s} is not a traded symbol (data.symbols: ${c.data.symbols.join(', ')})`,
        });
    if (c.data.history_hours < c.data.rolling_window_hours) {
      ctx.addIssue({
        code: 'custom',
        path: ['data', 'history_hours'],
        message: `must be at least data.rolling_window_hours (${c.data.rolling_window_hours})`,
      });
    }
    if (c.trading.exit_threshold_bps > c.trading.entry_threshold_bps) {
      ctx.addIssue({
        code: 'custom',
        path: ['trading', 'exit_threshold_bps'],
        message: `must not exceed trading.entry_threshold_bps (${c.trading.entry_threshold_bps})`,
      });
    }
  });

export type BotConfig = z.infer<typeof configSchema>;
export type LightgbmParams = BotConfig['training']['lightgbm'];
