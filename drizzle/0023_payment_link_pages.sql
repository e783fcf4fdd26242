DROP INDEX "payments_order_success_uq";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "payin_paid_before" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_links" ADD COLUMN "next_reminder_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payment_links" ADD COLUMN "allow_partial_payments" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_links" ADD COLUMN "amount_paid" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_payin_success_uq" ON "payments" USING btree ("merchant_id","env","order_id","payin_paid_before") WHERE "payments"."status" = 'success';--> statement-breakpoint
ALTER TABLE "payment_links" ADD CONSTRAINT "payment_links_amount_paid_ck" CHECK ("payment_links"."amount_paid" >= 0 and "payment_links"."amount_paid" <= "payment_links"."amount");