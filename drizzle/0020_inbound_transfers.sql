CREATE TABLE "inbound_transfers" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"virtual_account_id" text NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"remitter_name" text NOT NULL,
	"remitter_account_number" text,
	"reference" text,
	"connector_key" text,
	"payment_id" text,
	"return_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "inbound_transfers_env_ck" CHECK ("inbound_transfers"."env" in ('sandbox', 'production')),
	CONSTRAINT "inbound_transfers_status_ck" CHECK ("inbound_transfers"."status" in ('credited', 'returned')),
	CONSTRAINT "inbound_transfers_amount_ck" CHECK ("inbound_transfers"."amount" > 0),
	CONSTRAINT "inbound_transfers_outcome_ck" CHECK (("inbound_transfers"."status" = 'credited') = ("inbound_transfers"."payment_id" is not null) and ("inbound_transfers"."status" = 'returned') = ("inbound_transfers"."return_reason" is not null))
);
--> statement-breakpoint
ALTER TABLE "payments" DROP CONSTRAINT "payments_payin_or_subscription_ck";--> statement-breakpoint
ALTER TABLE "settlements" DROP CONSTRAINT "settlements_kind_ck";--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "customer_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "settlement_schedule" jsonb;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "transfer_details" jsonb;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "hold_id" text;--> statement-breakpoint
ALTER TABLE "inbound_transfers" ADD CONSTRAINT "inbound_transfers_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inbound_transfers_tenant_created_idx" ON "inbound_transfers" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_transfers_connector_key_uq" ON "inbound_transfers" USING btree ("merchant_id","env","connector_key") WHERE "inbound_transfers"."connector_key" is not null;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_unlinked_ck" CHECK (("payments"."order_id" is not null or "payments"."subscription_id" is not null) or ("payments"."status" = 'action_required' and "payments"."method_type" = 'bank_transfer'));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_customer_ck" CHECK ("payments"."customer_id" is not null or ("payments"."order_id" is null and "payments"."subscription_id" is null));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_payin_or_subscription_ck" CHECK (("payments"."order_id" is null) = ("payments"."payin_type" is null) and ("payments"."order_id" is null or "payments"."subscription_id" is null) and ("payments"."subscription_id" is null) = ("payments"."billing_cycle" is null));--> statement-breakpoint
ALTER TABLE "settlements" ADD CONSTRAINT "settlements_kind_ck" CHECK ("settlements"."kind" in ('amount', 'payments', 'trigger', 'schedule'));