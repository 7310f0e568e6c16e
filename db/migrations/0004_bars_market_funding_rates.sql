CREATE TABLE "funding_rates" (
	"market" text NOT NULL,
	"symbol" text NOT NULL,
	"funding_time" bigint NOT NULL,
	"rate" double precision NOT NULL,
	"mark_price" double precision,
	"source" text NOT NULL,
	CONSTRAINT "funding_rates_pk" PRIMARY KEY("market","symbol","funding_time"),
	CONSTRAINT "funding_rates_mark_price_positive" CHECK ("funding_rates"."mark_price" is null or "funding_rates"."mark_price" > 0),
	CONSTRAINT "funding_rates_market_id" CHECK ("funding_rates"."market" ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
--> statement-breakpoint
-- Hand-edited after drizzle-kit generate: existing rows get a market instead of failing the NOT NULL. Bars from the
-- market-data stream and REST backfill (Binance USD-M or the local exchange that imitates it) and every other writer
-- are 'binance-usdm'; bars imported from a CSV file (source 'file:...', e.g. the shipped Binance.US spot data) get
-- 'binanceus-spot', the market import-bars now uses by default, so re-importing the same file finds them unchanged.
-- The default is dropped afterwards: every writer names the market.
ALTER TABLE "bars" ADD COLUMN "market" text DEFAULT 'binance-usdm' NOT NULL;--> statement-breakpoint
UPDATE "bars" SET "market" = 'binanceus-spot' WHERE "source" LIKE 'file:%';--> statement-breakpoint
ALTER TABLE "bars" ALTER COLUMN "market" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "bars" DROP CONSTRAINT "bars_pk";
--> statement-breakpoint
ALTER TABLE "bars" ADD CONSTRAINT "bars_pk" PRIMARY KEY("market","symbol","open_time");--> statement-breakpoint
ALTER TABLE "bars" ADD CONSTRAINT "bars_market_id" CHECK ("bars"."market" ~ '^[a-z0-9]+(-[a-z0-9]+)*$');