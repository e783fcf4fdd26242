CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"customer_id" text NOT NULL,
	"document_id" text,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"purpose_code" text,
	"invoice_number" text,
	"invoice_description" text,
	"invoice_amount" bigint,
	"reference_number" text,
	"product" jsonb,
	"notes" jsonb,
	"bank_account_details" jsonb,
	"payment_methods" jsonb NOT NULL,
	"request_id" text,
	"quote_id" text,
	"price_id" text,
	"split_ids" jsonb,
	"rfi_documents" jsonb,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "orders_env_ck" CHECK ("orders"."env" in ('sandbox', 'production')),
	CONSTRAINT "orders_status_ck" CHECK ("orders"."status" in ('active', 'paid', 'failed', 'action_required', 'cancelled', 'under_review', 'expired')),
	CONSTRAINT "orders_amount_ck" CHECK ("orders"."amount" > 0 and ("orders"."invoice_amount" is null or "orders"."invoice_amount" >= 0))
);
--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "orders_tenant_created_idx" ON "orders" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_tenant_customer_created_idx" ON "orders" USING btree ("merchant_id","env","customer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_tenant_status_created_idx" ON "orders" USING btree ("merchant_id","env","status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_tenant_request_id_idx" ON "orders" USING btree ("merchant_id","env","request_id") WHERE "orders"."request_id" is not null;