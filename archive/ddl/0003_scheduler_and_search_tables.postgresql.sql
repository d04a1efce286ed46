-- Frozen. Tables that releases up to 0.1.0 created on demand (IF NOT EXISTS: they may be there).
CREATE TABLE IF NOT EXISTS scheduler_daemons (
    id SERIAL NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid INTEGER NOT NULL,
    started_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    poll_interval INTEGER NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE IF NOT EXISTS scheduler_paused (
    site VARCHAR(255) NOT NULL,
    paused_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    PRIMARY KEY (site)
);
CREATE TABLE IF NOT EXISTS scheduler_notifications (
    id SERIAL NOT NULL,
    run_id INTEGER,
    site VARCHAR(200) NOT NULL,
    sent_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    target TEXT NOT NULL,
    ok BOOLEAN NOT NULL,
    error TEXT,
    PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_scheduler_notifications_run_id ON scheduler_notifications (run_id);
-- APScheduler 3's SQLAlchemyJobStore table, as it would create it itself.
CREATE TABLE IF NOT EXISTS apscheduler_jobs (
    id VARCHAR(191) NOT NULL,
    next_run_time FLOAT(25),
    job_state BYTEA NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_apscheduler_jobs_next_run_time ON apscheduler_jobs (next_run_time);
CREATE TABLE IF NOT EXISTS search_index (
    version_id BIGINT PRIMARY KEY REFERENCES versions(id),
    article_id INTEGER NOT NULL,
    terms TSVECTOR NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_search_index_terms ON search_index USING GIN (terms);
