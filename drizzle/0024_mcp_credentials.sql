ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_kind_ck";--> statement-breakpoint
DROP INDEX "api_keys_merchant_idx";--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "audience" text;--> statement-breakpoint
CREATE INDEX "api_keys_merchant_idx" ON "api_keys" USING btree ("merchant_id","env","kind","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_mcp_ck" CHECK ("api_keys"."kind" <> 'mcp' or ("api_keys"."expires_at" is not null and "api_keys"."audience" is not null));--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_kind_ck" CHECK ("api_keys"."kind" in ('secret', 'publishable', 'mcp'));