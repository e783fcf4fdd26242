CREATE TABLE "rfis" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"status" text NOT NULL,
	"reason_code" text NOT NULL,
	"reason_code_description" text NOT NULL,
	"response_deadline" timestamp with time zone,
	"documents_required" jsonb NOT NULL,
	"responses" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rfis_env_ck" CHECK ("rfis"."env" in ('sandbox', 'production')),
	CONSTRAINT "rfis_status_ck" CHECK ("rfis"."status" in ('action_required', 'under_review', 'approved', 'rejected')),
	CONSTRAINT "rfis_entity_type_ck" CHECK ("rfis"."entity_type" in ('payout', 'payment'))
);
--> statement-breakpoint
ALTER TABLE "rfis" ADD CONSTRAINT "rfis_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rfis_tenant_created_idx" ON "rfis" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "rfis_tenant_status_created_idx" ON "rfis" USING btree ("merchant_id","env","status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "rfis_tenant_entity_created_idx" ON "rfis" USING btree ("merchant_id","env","entity_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "rfis_open_entity_uq" ON "rfis" USING btree ("merchant_id","env","entity_type","entity_id") WHERE "rfis"."status" in ('action_required', 'under_review');