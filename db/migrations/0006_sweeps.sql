CREATE TABLE "sweep_results" (
	"sweep_id" text NOT NULL,
	"combination" integer NOT NULL,
	"model_group" integer NOT NULL,
	"rank" integer NOT NULL,
	"values" jsonb NOT NULL,
	"whole" jsonb NOT NULL,
	"in_sample" jsonb NOT NULL,
	"held_out" jsonb NOT NULL,
	CONSTRAINT "sweep_results_sweep_id_combination_pk" PRIMARY KEY("sweep_id","combination")
);
--> statement-breakpoint
CREATE TABLE "sweeps" (
	"sweep_id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"started_at" bigint NOT NULL,
	"finished_at" bigint,
	"combinations" integer NOT NULL,
	"groups" integer NOT NULL,
	"select_on" text NOT NULL,
	"holdout_fraction" double precision NOT NULL,
	"test_from" bigint NOT NULL,
	"test_to" bigint NOT NULL,
	"split_time" bigint NOT NULL,
	"axes" jsonb NOT NULL,
	"out_dir" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sweep_results" ADD CONSTRAINT "sweep_results_sweep_id_sweeps_sweep_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("sweep_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sweep_results_rank_idx" ON "sweep_results" USING btree ("sweep_id","rank");