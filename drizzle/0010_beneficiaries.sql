CREATE TABLE "bank_account_validations" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"beneficiary_id" text,
	"country" text NOT NULL,
	"holder_name" text NOT NULL,
	"account_number" text NOT NULL,
	"bic_primary" text,
	"bic_secondary" text,
	"status" text NOT NULL,
	"validation_message" text NOT NULL,
	"fee_currency" text NOT NULL,
	"fee_amount" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "bank_account_validations_env_ck" CHECK ("bank_account_validations"."env" in ('sandbox', 'production')),
	CONSTRAINT "bank_account_validations_status_ck" CHECK ("bank_account_validations"."status" in ('success', 'failed')),
	CONSTRAINT "bank_account_validations_fee_ck" CHECK ("bank_account_validations"."fee_amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "beneficiaries" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"api_version" text NOT NULL,
	"category" text NOT NULL,
	"status" text NOT NULL,
	"name" text NOT NULL,
	"beneficiary_type" text NOT NULL,
	"email" text,
	"phone" text,
	"nickname" text NOT NULL,
	"address_line1" text NOT NULL,
	"address_line2" text,
	"city" text NOT NULL,
	"state" text NOT NULL,
	"country_code" text NOT NULL,
	"postal_code" text NOT NULL,
	"account_number" text,
	"bank_name" text,
	"swift_code" text,
	"local_routing_number" text,
	"currency" text,
	"bank_address" jsonb,
	"intermediate_bank" jsonb,
	"upi_id" text,
	"documents" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"notes" jsonb,
	"account_key" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "beneficiaries_env_ck" CHECK ("beneficiaries"."env" in ('sandbox', 'production')),
	CONSTRAINT "beneficiaries_api_version_ck" CHECK ("beneficiaries"."api_version" in ('v1', 'v2')),
	CONSTRAINT "beneficiaries_category_ck" CHECK ("beneficiaries"."category" in ('payout', 'lrs')),
	CONSTRAINT "beneficiaries_status_ck" CHECK ("beneficiaries"."status" in ('pending', 'active', 'rejected')),
	CONSTRAINT "beneficiaries_type_ck" CHECK ("beneficiaries"."beneficiary_type" in ('individual', 'business')),
	CONSTRAINT "beneficiaries_account_ck" CHECK (("beneficiaries"."account_number" is null) <> ("beneficiaries"."upi_id" is null))
);
--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "beneficiary_review" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "beneficiary_required_notes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "bank_account_validations" ADD CONSTRAINT "bank_account_validations_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_account_validations" ADD CONSTRAINT "bank_account_validations_beneficiary_id_beneficiaries_id_fk" FOREIGN KEY ("beneficiary_id") REFERENCES "public"."beneficiaries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "beneficiaries" ADD CONSTRAINT "beneficiaries_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bank_account_validations_tenant_created_idx" ON "bank_account_validations" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "bank_account_validations_tenant_beneficiary_idx" ON "bank_account_validations" USING btree ("merchant_id","env","beneficiary_id");--> statement-breakpoint
CREATE INDEX "beneficiaries_tenant_created_idx" ON "beneficiaries" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "beneficiaries_tenant_account_key_uq" ON "beneficiaries" USING btree ("merchant_id","env","account_key") WHERE "beneficiaries"."account_key" is not null;