CREATE TABLE "refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"payment_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"payment_method_type" text NOT NULL,
	"status" text NOT NULL,
	"reason" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"hold_id" text,
	"request_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "refunds_env_ck" CHECK ("refunds"."env" in ('sandbox', 'production')),
	CONSTRAINT "refunds_status_ck" CHECK ("refunds"."status" in ('in_progress', 'success', 'failed')),
	CONSTRAINT "refunds_amount_ck" CHECK ("refunds"."amount" > 0)
);
--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "refunds_tenant_created_idx" ON "refunds" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "refunds_tenant_payment_created_idx" ON "refunds" USING btree ("merchant_id","env","payment_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);