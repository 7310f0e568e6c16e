ALTER TABLE "backtest_trades" ADD COLUMN "funding" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "trades" ADD COLUMN "funding" double precision DEFAULT 0 NOT NULL;