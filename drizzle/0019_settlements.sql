CREATE TABLE "settlements" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"status" text NOT NULL,
	"kind" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"withdrawal_account_id" text NOT NULL,
	"hold_id" text,
	"utr" text,
	"error_code" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "settlements_env_ck" CHECK ("settlements"."env" in ('sandbox', 'production')),
	CONSTRAINT "settlements_status_ck" CHECK ("settlements"."status" in ('in_progress', 'success', 'failed')),
	CONSTRAINT "settlements_kind_ck" CHECK ("settlements"."kind" in ('amount', 'payments', 'trigger')),
	CONSTRAINT "settlements_amount_ck" CHECK ("settlements"."amount" > 0)
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "settlement_id" text;--> statement-breakpoint
ALTER TABLE "settlements" ADD CONSTRAINT "settlements_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "settlements_tenant_created_idx" ON "settlements" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payments_tenant_settlement_created_idx" ON "payments" USING btree ("merchant_id","env","settlement_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "payments"."settlement_id" is not null;