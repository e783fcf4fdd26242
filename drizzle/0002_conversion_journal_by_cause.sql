ALTER TABLE "balance_conversions" DROP CONSTRAINT "balance_conversions_journal_id_ledger_journals_id_fk";
--> statement-breakpoint
ALTER TABLE "balance_conversions" DROP COLUMN "journal_id";