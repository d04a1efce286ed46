-- Frozen. Tables that releases up to 0.1.0 created on demand (IF NOT EXISTS: they may be there).
CREATE TABLE IF NOT EXISTS scheduler_daemons (
    id INTEGER NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid INTEGER NOT NULL,
    started_at DATETIME NOT NULL,
    heartbeat_at DATETIME NOT NULL,
    poll_interval INTEGER NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE IF NOT EXISTS scheduler_paused (
    site VARCHAR(255) NOT NULL,
    paused_at DATETIME NOT NULL,
    PRIMARY KEY (site)
);
CREATE TABLE IF NOT EXISTS scheduler_notifications (
    id INTEGER NOT NULL,
    run_id INTEGER,
    site VARCHAR(200) NOT NULL,
    sent_at DATETIME NOT NULL,
    target TEXT NOT NULL,
    ok BOOLEAN NOT NULL,
    error TEXT,
    PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_scheduler_notifications_run_id ON scheduler_notifications (run_id);
-- APScheduler 3's SQLAlchemyJobStore table, as it would create it itself.
CREATE TABLE IF NOT EXISTS apscheduler_jobs (
    id VARCHAR(191) NOT NULL,
    next_run_time FLOAT,
    job_state BLOB NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_apscheduler_jobs_next_run_time ON apscheduler_jobs (next_run_time);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    terms, content='', tokenize='unicode61 remove_diacritics 0'
);
