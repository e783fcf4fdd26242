CREATE TABLE "subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"customer_id" text NOT NULL,
	"status" text NOT NULL,
	"product_name" text NOT NULL,
	"product_description" text NOT NULL,
	"plan_name" text,
	"plan_description" text,
	"reference_number" text,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"interval_type" text NOT NULL,
	"interval_count" integer,
	"billing_cycles" integer,
	"max_amount" bigint,
	"start_date" date,
	"end_date" date,
	"expires_at" date,
	"next_payment_date" date,
	"schedule_anchor" date,
	"schedule_anchor_cycle" integer DEFAULT 1 NOT NULL,
	"cycles_billed" integer DEFAULT 0 NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"notify_customer" boolean DEFAULT false NOT NULL,
	"starts_with_first_payment" boolean DEFAULT true NOT NULL,
	"notes" jsonb,
	"mock_renewal_outcome" text,
	"card_token" text,
	"card_network" text,
	"card_last4" text,
	"card_exp_month" integer,
	"card_exp_year" integer,
	"activated_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "subscriptions_env_ck" CHECK ("subscriptions"."env" in ('sandbox', 'production')),
	CONSTRAINT "subscriptions_status_ck" CHECK ("subscriptions"."status" in ('created', 'authorized', 'active', 'paused', 'halted', 'completed', 'cancelled', 'expired', 'failed', 'action_required', 'under_review')),
	CONSTRAINT "subscriptions_interval_ck" CHECK (("subscriptions"."interval_type" = 'as_presented' and "subscriptions"."interval_count" is null and "subscriptions"."billing_cycles" is null and "subscriptions"."max_amount" > 0) or ("subscriptions"."interval_type" = 'month' and "subscriptions"."interval_count" in (1, 3, 6) and "subscriptions"."billing_cycles" >= 2 and "subscriptions"."max_amount" is null) or ("subscriptions"."interval_type" = 'year' and "subscriptions"."interval_count" = 1 and "subscriptions"."billing_cycles" >= 2 and "subscriptions"."max_amount" is null)),
	CONSTRAINT "subscriptions_amount_ck" CHECK ("subscriptions"."amount" > 0),
	CONSTRAINT "subscriptions_cycles_ck" CHECK ("subscriptions"."cycles_billed" >= 0 and ("subscriptions"."billing_cycles" is null or "subscriptions"."cycles_billed" <= "subscriptions"."billing_cycles") and "subscriptions"."failed_attempts" >= 0),
	CONSTRAINT "subscriptions_mock_renewal_outcome_ck" CHECK ("subscriptions"."mock_renewal_outcome" is null or "subscriptions"."mock_renewal_outcome" in ('success', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "payments" DROP CONSTRAINT "payments_payin_type_ck";--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "order_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "payin_type" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "payin_type" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "subscription_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "billing_cycle" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "auto_debit" boolean;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "request_id" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "subscriptions_tenant_created_idx" ON "subscriptions" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "subscriptions_tenant_customer_created_idx" ON "subscriptions" USING btree ("merchant_id","env","customer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "subscriptions_tenant_status_created_idx" ON "subscriptions" USING btree ("merchant_id","env","status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payments_tenant_subscription_created_idx" ON "payments" USING btree ("merchant_id","env","subscription_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "payments"."subscription_id" is not null;--> statement-breakpoint
CREATE INDEX "payments_tenant_request_id_idx" ON "payments" USING btree ("merchant_id","env","request_id") WHERE "payments"."request_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_subscription_cycle_success_uq" ON "payments" USING btree ("merchant_id","env","subscription_id","billing_cycle") WHERE "payments"."status" = 'success' and "payments"."subscription_id" is not null;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_payin_or_subscription_ck" CHECK (("payments"."order_id" is null) = ("payments"."payin_type" is null) and ("payments"."order_id" is null) <> ("payments"."subscription_id" is null) and ("payments"."subscription_id" is null) = ("payments"."billing_cycle" is null));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_payin_type_ck" CHECK ("payments"."payin_type" is null or "payments"."payin_type" in ('orders', 'payment_link'));