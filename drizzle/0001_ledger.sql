CREATE TABLE "ledger_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"currency" text NOT NULL,
	"purpose" text NOT NULL,
	"allow_negative" boolean NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_accounts_env_ck" CHECK ("ledger_accounts"."env" in ('sandbox', 'production')),
	CONSTRAINT "ledger_accounts_non_negative_ck" CHECK ("ledger_accounts"."allow_negative" or "ledger_accounts"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_adjustments" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"direction" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"reason" text NOT NULL,
	"journal_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_adjustments_amount_ck" CHECK ("ledger_adjustments"."amount" > 0),
	CONSTRAINT "ledger_adjustments_direction_ck" CHECK ("ledger_adjustments"."direction" in ('credit', 'debit')),
	CONSTRAINT "ledger_adjustments_env_ck" CHECK ("ledger_adjustments"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"journal_id" text NOT NULL,
	"account_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_entries_nonzero_ck" CHECK ("ledger_entries"."amount" <> 0),
	CONSTRAINT "ledger_entries_env_ck" CHECK ("ledger_entries"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
CREATE TABLE "ledger_holds" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"status" text NOT NULL,
	"cause_type" text NOT NULL,
	"cause_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "ledger_holds_amount_ck" CHECK ("ledger_holds"."amount" > 0),
	CONSTRAINT "ledger_holds_status_ck" CHECK ("ledger_holds"."status" in ('pending', 'posted', 'voided')),
	CONSTRAINT "ledger_holds_resolved_ck" CHECK (("ledger_holds"."status" = 'pending') = ("ledger_holds"."resolved_at" is null)),
	CONSTRAINT "ledger_holds_env_ck" CHECK ("ledger_holds"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
CREATE TABLE "ledger_journals" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"kind" text NOT NULL,
	"cause_type" text NOT NULL,
	"cause_id" text NOT NULL,
	"hold_id" text,
	"memo" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_journals_env_ck" CHECK ("ledger_journals"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
CREATE TABLE "balance_conversions" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"source_currency" text NOT NULL,
	"target_currency" text NOT NULL,
	"source_amount" bigint NOT NULL,
	"target_amount" bigint NOT NULL,
	"fee_amount" bigint NOT NULL,
	"mid_rate" text NOT NULL,
	"markup_bps" integer NOT NULL,
	"status" text NOT NULL,
	"quote_id" text,
	"journal_id" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "balance_conversions_amounts_ck" CHECK ("balance_conversions"."source_amount" > 0 and "balance_conversions"."target_amount" > 0 and "balance_conversions"."fee_amount" >= 0),
	CONSTRAINT "balance_conversions_status_ck" CHECK ("balance_conversions"."status" in ('success', 'failed', 'pending')),
	CONSTRAINT "balance_conversions_currencies_ck" CHECK ("balance_conversions"."source_currency" <> "balance_conversions"."target_currency"),
	CONSTRAINT "balance_conversions_env_ck" CHECK ("balance_conversions"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
CREATE TABLE "quotes" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"resource" text NOT NULL,
	"source_currency" text NOT NULL,
	"destination_currency" text NOT NULL,
	"source_amount" bigint NOT NULL,
	"destination_amount" bigint NOT NULL,
	"mid_rate" text NOT NULL,
	"markup_bps" integer NOT NULL,
	"fx_fee" bigint NOT NULL,
	"txn_fee" bigint NOT NULL,
	"payment_method" text,
	"subtype" text,
	"payment_rail" text,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "quotes_resource_ck" CHECK ("quotes"."resource" in ('payin', 'payout', 'balance_conversion')),
	CONSTRAINT "quotes_amounts_ck" CHECK ("quotes"."source_amount" > 0 and "quotes"."destination_amount" > 0 and "quotes"."fx_fee" >= 0 and "quotes"."txn_fee" >= 0),
	CONSTRAINT "quotes_used_ck" CHECK (("quotes"."used_at" is null) = ("quotes"."used_by" is null)),
	CONSTRAINT "quotes_env_ck" CHECK ("quotes"."env" in ('sandbox', 'production'))
);
--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_adjustments" ADD CONSTRAINT "ledger_adjustments_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_adjustments" ADD CONSTRAINT "ledger_adjustments_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_account_id_ledger_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_holds" ADD CONSTRAINT "ledger_holds_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_journals" ADD CONSTRAINT "ledger_journals_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balance_conversions" ADD CONSTRAINT "balance_conversions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balance_conversions" ADD CONSTRAINT "balance_conversions_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotes" ADD CONSTRAINT "quotes_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_key_uq" ON "ledger_accounts" USING btree ("merchant_id","env","currency","purpose");--> statement-breakpoint
CREATE INDEX "ledger_adjustments_tenant_created_idx" ON "ledger_adjustments" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ledger_entries_journal_idx" ON "ledger_entries" USING btree ("journal_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_account_idx" ON "ledger_entries" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "ledger_holds_cause_idx" ON "ledger_holds" USING btree ("merchant_id","env","cause_type","cause_id");--> statement-breakpoint
CREATE INDEX "ledger_journals_cause_idx" ON "ledger_journals" USING btree ("merchant_id","env","cause_type","cause_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_journals_hold_created_uq" ON "ledger_journals" USING btree ("hold_id") WHERE "ledger_journals"."kind" = 'hold';--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_journals_hold_resolved_uq" ON "ledger_journals" USING btree ("hold_id") WHERE "ledger_journals"."kind" in ('hold_post', 'hold_void');--> statement-breakpoint
CREATE INDEX "balance_conversions_tenant_created_idx" ON "balance_conversions" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "balance_conversions_tenant_source_idx" ON "balance_conversions" USING btree ("merchant_id","env","source_currency","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "balance_conversions_tenant_target_idx" ON "balance_conversions" USING btree ("merchant_id","env","target_currency","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "quotes_tenant_created_idx" ON "quotes" USING btree ("merchant_id","env","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
-- Journals and their entries are append-only: a correction is a new journal.
CREATE FUNCTION "ledger_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger journals are immutable: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER "ledger_journals_immutable" BEFORE UPDATE OR DELETE ON "ledger_journals" FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "ledger_entries_immutable" BEFORE UPDATE OR DELETE ON "ledger_entries" FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"();
