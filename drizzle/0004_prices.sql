CREATE TABLE "prices" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"pricing_type" text NOT NULL,
	"fees_amount" bigint,
	"fees_currency" text,
	"bps" integer,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "prices_type_ck" CHECK ("prices"."pricing_type" in ('fixed', 'percentage')),
	CONSTRAINT "prices_terms_ck" CHECK (("prices"."pricing_type" = 'fixed' and "prices"."fees_amount" > 0 and "prices"."fees_currency" is not null and "prices"."bps" is null)
    or ("prices"."pricing_type" = 'percentage' and "prices"."bps" between 1 and 10000 and "prices"."fees_amount" is null and "prices"."fees_currency" is null)),
	CONSTRAINT "prices_env_ck" CHECK ("prices"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
ALTER TABLE "prices" ADD CONSTRAINT "prices_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "prices_tenant_created_idx" ON "prices" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "prices_tenant_default_uq" ON "prices" USING btree ("merchant_id","env") WHERE "prices"."is_default";