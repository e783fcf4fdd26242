CREATE TABLE "payment_links" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"customer_id" text NOT NULL,
	"document_id" text,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"purpose_code" text NOT NULL,
	"invoice_number" text,
	"invoice_description" text,
	"invoice_amount" bigint,
	"reference_number" text,
	"product" jsonb,
	"notes" jsonb,
	"bank_account_details" jsonb,
	"payment_methods" jsonb NOT NULL,
	"price_id" text,
	"reminder_frequency" integer,
	"last_reminder_sent_at" timestamp with time zone,
	"rfi_documents" jsonb,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_links_env_ck" CHECK ("payment_links"."env" in ('sandbox', 'production')),
	CONSTRAINT "payment_links_status_ck" CHECK ("payment_links"."status" in ('active', 'paid', 'failed', 'action_required', 'cancelled', 'partially_paid', 'under_review', 'expired')),
	CONSTRAINT "payment_links_amount_ck" CHECK ("payment_links"."amount" > 0 and ("payment_links"."invoice_amount" is null or "payment_links"."invoice_amount" >= 0)),
	CONSTRAINT "payment_links_reminder_frequency_ck" CHECK ("payment_links"."reminder_frequency" is null or "payment_links"."reminder_frequency" in (1, 2, 7, 14))
);
--> statement-breakpoint
ALTER TABLE "payment_links" ADD CONSTRAINT "payment_links_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payment_links_tenant_created_idx" ON "payment_links" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payment_links_tenant_customer_created_idx" ON "payment_links" USING btree ("merchant_id","env","customer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payment_links_tenant_status_created_idx" ON "payment_links" USING btree ("merchant_id","env","status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);