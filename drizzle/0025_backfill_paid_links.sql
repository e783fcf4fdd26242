-- Links paid before amount_paid existed (0023) read as paid in full: amount_paid is the one record of what was paid.
UPDATE "payment_links" SET "amount_paid" = "amount" WHERE "status" = 'paid' AND "amount_paid" = 0;
