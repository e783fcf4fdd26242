CREATE TABLE "payment_authentications" (
	"payment_id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"env" text NOT NULL,
	"token_hash" text NOT NULL,
	"callback_url" text NOT NULL,
	"card_outcome" text NOT NULL,
	"status" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_authentications_env_ck" CHECK ("payment_authentications"."env" in ('sandbox', 'production')),
	CONSTRAINT "payment_authentications_status_ck" CHECK ("payment_authentications"."status" in ('pending', 'completed', 'expired')),
	CONSTRAINT "payment_authentications_outcome_ck" CHECK ("payment_authentications"."card_outcome" in ('success', 'failure'))
);
--> statement-breakpoint
ALTER TABLE "payment_authentications" ADD CONSTRAINT "payment_authentications_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_authentications" ADD CONSTRAINT "payment_authentications_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;