ALTER TYPE "public"."backtest_status" ADD VALUE 'cancelled';--> statement-breakpoint
CREATE TABLE "backtest_equity" (
	"run_id" text NOT NULL,
	"open_time" bigint NOT NULL,
	"equity" double precision NOT NULL,
	CONSTRAINT "backtest_equity_pk" PRIMARY KEY("run_id","open_time")
);
--> statement-breakpoint
CREATE TABLE "backtest_segments" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"train_end" bigint NOT NULL,
	"segment_to" bigint NOT NULL,
	"model_version" text NOT NULL,
	"validation" jsonb NOT NULL,
	"reused" boolean NOT NULL,
	"timings" jsonb NOT NULL,
	"max_psi_feature" text NOT NULL,
	"max_psi" double precision NOT NULL,
	CONSTRAINT "backtest_segments_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
ALTER TABLE "backtest_runs" ADD COLUMN "workflow_id" text;--> statement-breakpoint
ALTER TABLE "backtest_runs" ADD COLUMN "workflow_run_id" text;--> statement-breakpoint
ALTER TABLE "backtest_runs" ADD COLUMN "out_dir" text;--> statement-breakpoint
ALTER TABLE "backtest_equity" ADD CONSTRAINT "backtest_equity_run_id_backtest_runs_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."backtest_runs"("run_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backtest_segments" ADD CONSTRAINT "backtest_segments_run_id_backtest_runs_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."backtest_runs"("run_id") ON DELETE cascade ON UPDATE no action;