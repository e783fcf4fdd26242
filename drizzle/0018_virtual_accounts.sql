CREATE TABLE "virtual_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"payment_type" text NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"name" text NOT NULL,
	"account_number" text NOT NULL,
	"bank_country" text NOT NULL,
	"bank_name" text NOT NULL,
	"bic" text NOT NULL,
	"local_bank_code" text,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "virtual_accounts_env_ck" CHECK ("virtual_accounts"."env" in ('sandbox', 'production')),
	CONSTRAINT "virtual_accounts_status_ck" CHECK ("virtual_accounts"."status" in ('active', 'inactive', 'disabled')),
	CONSTRAINT "virtual_accounts_payment_type_ck" CHECK ("virtual_accounts"."payment_type" in ('local', 'swift')),
	CONSTRAINT "virtual_accounts_closed_ck" CHECK (("virtual_accounts"."status" = 'active') = ("virtual_accounts"."closed_at" is null))
);
--> statement-breakpoint
ALTER TABLE "virtual_accounts" ADD CONSTRAINT "virtual_accounts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "virtual_accounts_tenant_created_idx" ON "virtual_accounts" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "virtual_accounts_account_number_uq" ON "virtual_accounts" USING btree ("account_number");--> statement-breakpoint
CREATE UNIQUE INDEX "virtual_accounts_tenant_active_uq" ON "virtual_accounts" USING btree ("merchant_id","env","payment_type","currency") WHERE "virtual_accounts"."status" = 'active';