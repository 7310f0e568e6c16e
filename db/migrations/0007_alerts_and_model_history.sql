CREATE TABLE "alerts_sent" (
	"key" text NOT NULL,
	"target" text NOT NULL,
	"target_type" text NOT NULL,
	"kind" text NOT NULL,
	"workflow_id" text NOT NULL,
	"symbol" text,
	"mode" text,
	"event_at" bigint NOT NULL,
	"text" text NOT NULL,
	"outcome" text NOT NULL,
	"error" text,
	"http_status" integer,
	"attempts" integer DEFAULT 1 NOT NULL,
	"first_attempt_at" bigint NOT NULL,
	"last_attempt_at" bigint NOT NULL,
	CONSTRAINT "alerts_sent_key_target_pk" PRIMARY KEY("key","target")
);
--> statement-breakpoint
CREATE TABLE "model_status_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"symbol" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"at" bigint NOT NULL,
	"reason" text,
	"actor" text
);
--> statement-breakpoint
ALTER TABLE "model_status_events" ADD CONSTRAINT "model_status_events_version_models_version_fk" FOREIGN KEY ("version") REFERENCES "public"."models"("version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_sent_event_at_idx" ON "alerts_sent" USING btree ("event_at");--> statement-breakpoint
CREATE INDEX "alerts_sent_symbol_event_at_idx" ON "alerts_sent" USING btree ("symbol","event_at");--> statement-breakpoint
CREATE INDEX "model_status_events_version_idx" ON "model_status_events" USING btree ("version","at");--> statement-breakpoint
CREATE INDEX "model_status_events_symbol_idx" ON "model_status_events" USING btree ("symbol","at");--> statement-breakpoint
-- Models registered before the history existed start it with their current status.
INSERT INTO "model_status_events" ("version", "symbol", "from_status", "to_status", "at", "reason")
SELECT "version", "symbol", NULL, "status"::text, "status_changed_at", 'status when the history began' FROM "models";