-- Frozen. The worker that ran a crawl (opdcwatch worker: "opdcwatch-<pid>@<host>"); NULL for a
-- crawl run in one process (opdcwatch crawl, schedule run without --broker).
ALTER TABLE runs ADD COLUMN worker VARCHAR(255);
