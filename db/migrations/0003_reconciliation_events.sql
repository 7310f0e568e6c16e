CREATE TABLE "reconciliation_events" (
	"workflow_id" text NOT NULL,
	"symbol" text NOT NULL,
	"mode" "trading_mode" NOT NULL,
	"bar_time" bigint NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"differences" jsonb NOT NULL,
	"bot" jsonb NOT NULL,
	"exchange" jsonb,
	"recorded_at" bigint NOT NULL,
	CONSTRAINT "reconciliation_events_pk" PRIMARY KEY("workflow_id","bar_time","kind")
);
