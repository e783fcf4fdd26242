CREATE TABLE "internal_transfers" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"from_merchant_id" text NOT NULL,
	"to_merchant_id" text NOT NULL,
	"initiated_by" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"reference" text NOT NULL,
	"request_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "internal_transfers_env_ck" CHECK ("internal_transfers"."env" in ('sandbox', 'production')),
	CONSTRAINT "internal_transfers_amount_ck" CHECK ("internal_transfers"."amount" > 0),
	CONSTRAINT "internal_transfers_parties_ck" CHECK ("internal_transfers"."from_merchant_id" <> "internal_transfers"."to_merchant_id")
);
--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "is_platform" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "owner_merchant_id" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "owner_env" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "onboarding_status" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "profile" jsonb;--> statement-breakpoint
ALTER TABLE "internal_transfers" ADD CONSTRAINT "internal_transfers_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "internal_transfers" ADD CONSTRAINT "internal_transfers_from_merchant_id_merchants_id_fk" FOREIGN KEY ("from_merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "internal_transfers" ADD CONSTRAINT "internal_transfers_to_merchant_id_merchants_id_fk" FOREIGN KEY ("to_merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "internal_transfers" ADD CONSTRAINT "internal_transfers_initiated_by_merchants_id_fk" FOREIGN KEY ("initiated_by") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "internal_transfers_tenant_created_idx" ON "internal_transfers" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "internal_transfers_from_created_idx" ON "internal_transfers" USING btree ("from_merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "internal_transfers_to_created_idx" ON "internal_transfers" USING btree ("to_merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "internal_transfers_request_id_uq" ON "internal_transfers" USING btree ("initiated_by","env","request_id") WHERE "internal_transfers"."request_id" is not null;--> statement-breakpoint
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_owner_merchant_id_merchants_id_fk" FOREIGN KEY ("owner_merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "merchants_owner_created_idx" ON "merchants" USING btree ("owner_merchant_id","owner_env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_child_ck" CHECK (("merchants"."owner_merchant_id" is null) = ("merchants"."owner_env" is null) and ("merchants"."owner_merchant_id" is null) = ("merchants"."onboarding_status" is null) and ("merchants"."owner_merchant_id" is null) = ("merchants"."profile" is null) and ("merchants"."owner_merchant_id" is null or not "merchants"."is_platform"));--> statement-breakpoint
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_owner_env_ck" CHECK ("merchants"."owner_env" is null or "merchants"."owner_env" in ('sandbox', 'production'));--> statement-breakpoint
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_onboarding_status_ck" CHECK ("merchants"."onboarding_status" is null or "merchants"."onboarding_status" in ('pending', 'success', 'failed'));