-- New jobs wake idle runners at once (decision 0021): one NOTIFY on channel glomo_jobs per inserting statement and
-- queue, the queue's name as payload. NOTIFY is transactional: listeners hear it only when the enqueue commits.
CREATE FUNCTION "glomo_jobs_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('glomo_jobs', q.queue) FROM (SELECT DISTINCT "queue" FROM "inserted_jobs") q;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "jobs_notify" AFTER INSERT ON "jobs" REFERENCING NEW TABLE AS "inserted_jobs"
  FOR EACH STATEMENT EXECUTE FUNCTION "glomo_jobs_notify"();
