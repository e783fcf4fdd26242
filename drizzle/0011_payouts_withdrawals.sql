CREATE TABLE "payouts" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"beneficiary_id" text NOT NULL,
	"status" text NOT NULL,
	"source_currency" text NOT NULL,
	"source_amount" bigint NOT NULL,
	"destination_currency" text NOT NULL,
	"destination_amount" bigint NOT NULL,
	"mid_rate" text NOT NULL,
	"fx_fee" bigint NOT NULL,
	"txn_fee" bigint NOT NULL,
	"payment_rail" text NOT NULL,
	"purpose_code" text NOT NULL,
	"invoice_number" text,
	"request_id" text,
	"quote_id" text,
	"documents" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"notes" jsonb,
	"utr" text,
	"error_code" text,
	"error_description" text,
	"customer_error_description" text,
	"hold_id" text,
	"sent_to_rail" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"queued_at" timestamp with time zone,
	CONSTRAINT "payouts_env_ck" CHECK ("payouts"."env" in ('sandbox', 'production')),
	CONSTRAINT "payouts_status_ck" CHECK ("payouts"."status" in ('pending_approval', 'queued', 'in_progress', 'action_required', 'success', 'failed', 'cancelled')),
	CONSTRAINT "payouts_amounts_ck" CHECK ("payouts"."source_amount" > 0 and "payouts"."destination_amount" > 0 and "payouts"."fx_fee" >= 0 and "payouts"."fx_fee" < "payouts"."source_amount" and "payouts"."txn_fee" >= 0)
);
--> statement-breakpoint
CREATE TABLE "withdrawal_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"holder_name" text NOT NULL,
	"account_number" text NOT NULL,
	"bank_name" text NOT NULL,
	"bic_primary" text,
	"bic_secondary" text,
	"currency" text NOT NULL,
	"email" text,
	"address_line1" text,
	"address_line2" text,
	"city" text,
	"state" text,
	"country" text NOT NULL,
	"pincode" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "withdrawal_accounts_env_ck" CHECK ("withdrawal_accounts"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
CREATE TABLE "withdrawals" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"withdrawal_account_id" text NOT NULL,
	"status" text NOT NULL,
	"balance_currency" text NOT NULL,
	"balance_amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"mid_rate" text NOT NULL,
	"fx_fee" bigint NOT NULL,
	"txn_fee" bigint NOT NULL,
	"purpose_code" text NOT NULL,
	"hold_id" text,
	"error_code" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "withdrawals_env_ck" CHECK ("withdrawals"."env" in ('sandbox', 'production')),
	CONSTRAINT "withdrawals_status_ck" CHECK ("withdrawals"."status" in ('in_progress', 'success', 'failed', 'action_required', 'cancelled', 'under_review')),
	CONSTRAINT "withdrawals_amounts_ck" CHECK ("withdrawals"."balance_amount" > 0 and "withdrawals"."amount" > 0 and "withdrawals"."fx_fee" >= 0 and "withdrawals"."txn_fee" >= 0)
);
--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "payout_queueing" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "maker_checker" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "withdrawal_accounts" ADD CONSTRAINT "withdrawal_accounts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payouts_tenant_created_idx" ON "payouts" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payouts_tenant_status_created_idx" ON "payouts" USING btree ("merchant_id","env","status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payouts_tenant_beneficiary_created_idx" ON "payouts" USING btree ("merchant_id","env","beneficiary_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payouts_queue_idx" ON "payouts" USING btree ("merchant_id","env","source_currency","queued_at","id") WHERE "payouts"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "withdrawal_accounts_tenant_created_idx" ON "withdrawal_accounts" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "withdrawals_tenant_created_idx" ON "withdrawals" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);