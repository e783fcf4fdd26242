CREATE TABLE "sandbox_clocks" (
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"offset_ms" bigint DEFAULT 0 NOT NULL,
	"advance_by" text,
	"advance_until" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sandbox_clocks_merchant_id_env_pk" PRIMARY KEY("merchant_id","env"),
	CONSTRAINT "sandbox_clocks_env_ck" CHECK ("sandbox_clocks"."env" = 'sandbox'),
	CONSTRAINT "sandbox_clocks_offset_ck" CHECK ("sandbox_clocks"."offset_ms" >= 0)
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "merchant_id" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "env" text;--> statement-breakpoint
ALTER TABLE "sandbox_clocks" ADD CONSTRAINT "sandbox_clocks_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jobs_tenant_due_idx" ON "jobs" USING btree ("merchant_id","env","run_at","id") WHERE "jobs"."status" = 'queued';--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_tenant_ck" CHECK (("jobs"."merchant_id" is null) = ("jobs"."env" is null));--> statement-breakpoint
-- Every existing merchant's sandbox gets its clock, at real time (new merchants get theirs when they are created).
INSERT INTO "sandbox_clocks" ("merchant_id", "env", "offset_ms", "updated_at")
  SELECT "id", 'sandbox', 0, now() FROM "merchants" ON CONFLICT DO NOTHING;--> statement-breakpoint
-- Jobs waiting to run learn their tenant, so that they are due by its clock: from their payload, their event or their delivery.
UPDATE "jobs" SET "merchant_id" = "payload"->>'merchantId', "env" = "payload"->>'env'
  WHERE "status" IN ('queued', 'running') AND "payload" ? 'merchantId' AND "payload" ? 'env';--> statement-breakpoint
UPDATE "jobs" SET "merchant_id" = e."merchant_id", "env" = e."env" FROM "events" e
  WHERE "jobs"."status" IN ('queued', 'running') AND "jobs"."merchant_id" IS NULL AND e."id" = "jobs"."payload"->>'eventId';--> statement-breakpoint
UPDATE "jobs" SET "merchant_id" = d."merchant_id", "env" = d."env" FROM "webhook_deliveries" d
  WHERE "jobs"."status" IN ('queued', 'running') AND "jobs"."merchant_id" IS NULL AND d."id" = "jobs"."payload"->>'deliveryId';
