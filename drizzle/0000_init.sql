CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"kind" text NOT NULL,
	"publishable_key" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_env_ck" CHECK ("api_keys"."env" in ('sandbox', 'production')),
	CONSTRAINT "api_keys_kind_ck" CHECK ("api_keys"."kind" in ('secret', 'publishable')),
	CONSTRAINT "api_keys_publishable_ck" CHECK (("api_keys"."kind" = 'publishable') = ("api_keys"."publishable_key" is not null))
);
--> statement-breakpoint
CREATE TABLE "merchants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"private_key_pem" text NOT NULL,
	"public_key_pem" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"entity_type" text NOT NULL,
	"event_type" text NOT NULL,
	"entity_id" text,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "events_seq_unique" UNIQUE("seq"),
	CONSTRAINT "events_env_ck" CHECK ("events"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
CREATE TABLE "request_ids" (
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"scope" text NOT NULL,
	"request_id" text NOT NULL,
	"resource_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "request_ids_merchant_id_env_scope_request_id_pk" PRIMARY KEY("merchant_id","env","scope","request_id"),
	CONSTRAINT "request_ids_env_ck" CHECK ("request_ids"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"name" text NOT NULL,
	"customer_type" text NOT NULL,
	"email" text NOT NULL,
	"email_key" text NOT NULL,
	"phone" text,
	"dob" date,
	"nationality" text,
	"tax_identification_number" text,
	"address" text NOT NULL,
	"city" text NOT NULL,
	"state" text NOT NULL,
	"country" text NOT NULL,
	"pincode" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "customers_env_ck" CHECK ("customers"."env" in ('sandbox', 'production')),
	CONSTRAINT "customers_type_ck" CHECK ("customers"."customer_type" in ('individual', 'business'))
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"document_name" text NOT NULL,
	"file_name" text NOT NULL,
	"original_file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "documents_env_ck" CHECK ("documents"."env" in ('sandbox', 'production')),
	CONSTRAINT "documents_status_ck" CHECK ("documents"."status" in ('uploaded', 'approved', 'rejected'))
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_ids" ADD CONSTRAINT "request_ids_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_merchant_idx" ON "api_keys" USING btree ("merchant_id","env","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_publishable_key_uq" ON "api_keys" USING btree ("publishable_key");--> statement-breakpoint
CREATE INDEX "merchants_created_idx" ON "merchants" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "events_tenant_created_idx" ON "events" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "events_entity_idx" ON "events" USING btree ("merchant_id","env","entity_id");--> statement-breakpoint
CREATE INDEX "customers_tenant_created_idx" ON "customers" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "customers_tenant_type_created_idx" ON "customers" USING btree ("merchant_id","env","customer_type","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "customers_tenant_email_country_uq" ON "customers" USING btree ("merchant_id","env","email_key","country");--> statement-breakpoint
CREATE INDEX "documents_tenant_created_idx" ON "documents" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);