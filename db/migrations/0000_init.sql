CREATE TYPE "public"."backtest_status" AS ENUM('running', 'completed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."model_purpose" AS ENUM('live', 'backtest');--> statement-breakpoint
CREATE TYPE "public"."model_status" AS ENUM('candidate', 'shadow', 'champion', 'rejected', 'retired');--> statement-breakpoint
CREATE TYPE "public"."position_side" AS ENUM('LONG', 'SHORT');--> statement-breakpoint
CREATE TYPE "public"."prediction_role" AS ENUM('champion', 'challenger', 'backtest');--> statement-breakpoint
CREATE TYPE "public"."retrain_outcome" AS ENUM('running', 'promoted', 'rejected', 'failed', 'gated');--> statement-breakpoint
CREATE TYPE "public"."retrain_reason" AS ENUM('scheduled', 'drift', 'performance', 'manual', 'backtest');--> statement-breakpoint
CREATE TYPE "public"."trading_mode" AS ENUM('paper', 'live');--> statement-breakpoint
CREATE TABLE "backtest_runs" (
	"run_id" text PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"status" "backtest_status" DEFAULT 'running' NOT NULL,
	"started_at" bigint NOT NULL,
	"finished_at" bigint,
	"config" jsonb NOT NULL,
	"data_ref" text NOT NULL,
	"data_range" jsonb,
	"summary" jsonb,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "backtest_trades" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"symbol" text NOT NULL,
	"side" "position_side" NOT NULL,
	"entry_time" bigint NOT NULL,
	"entry_price" double precision NOT NULL,
	"exit_time" bigint NOT NULL,
	"exit_price" double precision NOT NULL,
	"qty" double precision NOT NULL,
	"fees" double precision NOT NULL,
	"net_pnl" double precision NOT NULL,
	"exit_reason" text NOT NULL,
	"model_version" text,
	CONSTRAINT "backtest_trades_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "bars" (
	"symbol" text NOT NULL,
	"open_time" bigint NOT NULL,
	"open" double precision NOT NULL,
	"high" double precision NOT NULL,
	"low" double precision NOT NULL,
	"close" double precision NOT NULL,
	"volume" double precision NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "bars_pk" PRIMARY KEY("symbol","open_time"),
	CONSTRAINT "bars_minute_aligned" CHECK ("bars"."open_time" % 60000 = 0),
	CONSTRAINT "bars_ohlc_consistent" CHECK ("bars"."high" >= greatest("bars"."open", "bars"."close") and "bars"."low" <= least("bars"."open", "bars"."close")),
	CONSTRAINT "bars_volume_non_negative" CHECK ("bars"."volume" >= 0)
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"symbol" text NOT NULL,
	"mode" "trading_mode" NOT NULL,
	"open_time" bigint NOT NULL,
	"model_version" text,
	"prediction" double precision,
	"action" text NOT NULL,
	"reason" text NOT NULL,
	"equity" double precision NOT NULL,
	CONSTRAINT "decisions_pk" PRIMARY KEY("symbol","mode","open_time")
);
--> statement-breakpoint
CREATE TABLE "drift_measurements" (
	"symbol" text NOT NULL,
	"open_time" bigint NOT NULL,
	"model_version" text NOT NULL,
	"feature" text NOT NULL,
	"psi" double precision NOT NULL,
	CONSTRAINT "drift_measurements_pk" PRIMARY KEY("symbol","open_time","model_version","feature")
);
--> statement-breakpoint
CREATE TABLE "equity_snapshots" (
	"symbol" text NOT NULL,
	"mode" "trading_mode" NOT NULL,
	"open_time" bigint NOT NULL,
	"equity" double precision NOT NULL,
	"cash" double precision NOT NULL,
	"position_side" "position_side",
	"position_qty" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "equity_snapshots_pk" PRIMARY KEY("symbol","mode","open_time")
);
--> statement-breakpoint
CREATE TABLE "models" (
	"version" text PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"created_at" bigint DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint NOT NULL,
	"train_start" bigint NOT NULL,
	"train_end" bigint NOT NULL,
	"horizon" integer NOT NULL,
	"params" jsonb NOT NULL,
	"metrics" jsonb NOT NULL,
	"feature_reference" jsonb NOT NULL,
	"feature_importance" jsonb NOT NULL,
	"model_text" text NOT NULL,
	"status" "model_status" DEFAULT 'candidate' NOT NULL,
	"status_changed_at" bigint DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint NOT NULL,
	"purpose" "model_purpose" DEFAULT 'live' NOT NULL,
	CONSTRAINT "models_train_window" CHECK ("models"."train_start" < "models"."train_end"),
	CONSTRAINT "models_horizon_positive" CHECK ("models"."horizon" > 0)
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"client_order_id" text PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"mode" "trading_mode" NOT NULL,
	"side" text NOT NULL,
	"type" text NOT NULL,
	"reduce_only" boolean DEFAULT false NOT NULL,
	"qty" double precision NOT NULL,
	"status" text NOT NULL,
	"exchange_order_id" text,
	"avg_fill_price" double precision,
	"filled_qty" double precision DEFAULT 0 NOT NULL,
	"fee" double precision,
	"fee_asset" text,
	"decision_open_time" bigint,
	"reason" text,
	"created_at" bigint DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint NOT NULL,
	"updated_at" bigint DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint NOT NULL,
	"raw" jsonb,
	CONSTRAINT "orders_qty_positive" CHECK ("orders"."qty" > 0),
	CONSTRAINT "orders_side" CHECK ("orders"."side" in ('buy', 'sell'))
);
--> statement-breakpoint
CREATE TABLE "performance_measurements" (
	"symbol" text NOT NULL,
	"open_time" bigint NOT NULL,
	"model_version" text NOT NULL,
	"metric" text NOT NULL,
	"value" double precision NOT NULL,
	"window_bars" integer NOT NULL,
	CONSTRAINT "performance_measurements_pk" PRIMARY KEY("symbol","open_time","model_version","metric")
);
--> statement-breakpoint
CREATE TABLE "predictions" (
	"symbol" text NOT NULL,
	"open_time" bigint NOT NULL,
	"model_version" text NOT NULL,
	"role" "prediction_role" NOT NULL,
	"prediction" double precision NOT NULL,
	"created_at" bigint DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint NOT NULL,
	CONSTRAINT "predictions_pk" PRIMARY KEY("symbol","open_time","model_version","role")
);
--> statement-breakpoint
CREATE TABLE "retrain_events" (
	"id" text PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"reason" "retrain_reason" NOT NULL,
	"detail" jsonb,
	"started_at" bigint NOT NULL,
	"finished_at" bigint,
	"outcome" "retrain_outcome" DEFAULT 'running' NOT NULL,
	"model_version" text,
	"metrics" jsonb
);
--> statement-breakpoint
CREATE TABLE "trades" (
	"id" text PRIMARY KEY NOT NULL,
	"mode" "trading_mode" NOT NULL,
	"symbol" text NOT NULL,
	"side" "position_side" NOT NULL,
	"entry_time" bigint NOT NULL,
	"entry_price" double precision NOT NULL,
	"exit_time" bigint NOT NULL,
	"exit_price" double precision NOT NULL,
	"qty" double precision NOT NULL,
	"fees" double precision NOT NULL,
	"net_pnl" double precision NOT NULL,
	"exit_reason" text NOT NULL,
	"model_version" text
);
--> statement-breakpoint
ALTER TABLE "backtest_trades" ADD CONSTRAINT "backtest_trades_run_id_backtest_runs_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."backtest_runs"("run_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backtest_runs_symbol_started_idx" ON "backtest_runs" USING btree ("symbol","started_at");--> statement-breakpoint
CREATE INDEX "models_symbol_status_idx" ON "models" USING btree ("symbol","status");--> statement-breakpoint
CREATE INDEX "models_symbol_train_end_idx" ON "models" USING btree ("symbol","train_end");--> statement-breakpoint
CREATE UNIQUE INDEX "models_one_champion_per_symbol" ON "models" USING btree ("symbol") WHERE status = 'champion' and purpose = 'live';--> statement-breakpoint
CREATE INDEX "orders_symbol_mode_created_idx" ON "orders" USING btree ("symbol","mode","created_at");--> statement-breakpoint
CREATE INDEX "orders_exchange_order_id_idx" ON "orders" USING btree ("exchange_order_id");--> statement-breakpoint
CREATE INDEX "predictions_model_time_idx" ON "predictions" USING btree ("model_version","open_time");--> statement-breakpoint
CREATE INDEX "retrain_events_symbol_started_idx" ON "retrain_events" USING btree ("symbol","started_at");--> statement-breakpoint
CREATE INDEX "trades_symbol_mode_exit_idx" ON "trades" USING btree ("symbol","mode","exit_time");