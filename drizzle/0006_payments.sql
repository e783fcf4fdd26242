CREATE TABLE "payments" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"order_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"fee_amount" bigint NOT NULL,
	"price_id" text,
	"method_type" text NOT NULL,
	"card_network" text,
	"card_last4" text,
	"error_code" text,
	"error_description" text,
	"customer_error_description" text,
	"purpose_code" text,
	"product_name" text,
	"product_description" text,
	"funds_available" boolean NOT NULL,
	"paid_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payments_env_ck" CHECK ("payments"."env" in ('sandbox', 'production')),
	CONSTRAINT "payments_status_ck" CHECK ("payments"."status" in ('success', 'failed', 'action_required', 'in_progress', 'under_review')),
	CONSTRAINT "payments_method_ck" CHECK ("payments"."method_type" in ('bank_transfer', 'pay_via_bank', 'card')),
	CONSTRAINT "payments_amounts_ck" CHECK ("payments"."amount" > 0 and "payments"."fee_amount" >= 0 and "payments"."fee_amount" <= "payments"."amount")
);
--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payments_tenant_created_idx" ON "payments" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payments_tenant_order_created_idx" ON "payments" USING btree ("merchant_id","env","order_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payments_tenant_customer_created_idx" ON "payments" USING btree ("merchant_id","env","customer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "payments_order_success_uq" ON "payments" USING btree ("merchant_id","env","order_id") WHERE "payments"."status" = 'success';