ALTER TABLE "merchants" ADD COLUMN "payin_fee_bearer" text DEFAULT 'merchant' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "payin_type" text DEFAULT 'orders' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "requested_amount" bigint;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "fee_bearer" text DEFAULT 'merchant' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "payment_currency" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "payment_amount" bigint;--> statement-breakpoint
-- Payments made before FX and fee bearers were paid and settled in one currency, merchant-borne: backfill, then require.
UPDATE "payments" SET "requested_amount" = "amount", "payment_currency" = "currency", "payment_amount" = "amount";--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "requested_amount" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "payment_currency" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "payment_amount" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "fx_fee_amount" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "fx_rate" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "card_exp_month" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "card_exp_year" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "documents" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "documents" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_payin_fee_bearer_ck" CHECK ("merchants"."payin_fee_bearer" in ('merchant', 'customer'));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_payment_amounts_ck" CHECK ("payments"."payment_amount" > 0 and "payments"."fx_fee_amount" >= 0 and "payments"."fx_fee_amount" < "payments"."payment_amount" and "payments"."requested_amount" > 0);--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_payin_type_ck" CHECK ("payments"."payin_type" in ('orders', 'payment_link'));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_fee_bearer_ck" CHECK ("payments"."fee_bearer" in ('merchant', 'customer'));