-- Frozen. The fetch log (issue 15): one row per answer the archive was given for a page, with
-- its time, status and body digest, including the answers that stored nothing new (a 304, or
-- the same bytes again), so that a WARC export shows every time a page was checked; never edit.
CREATE TABLE fetches (
    id INTEGER NOT NULL,
    article_id INTEGER,
    run_id INTEGER,
    url TEXT NOT NULL,
    fetched_at DATETIME NOT NULL,
    status INTEGER NOT NULL,
    digest VARCHAR(64),
    capture_id BIGINT,
    PRIMARY KEY (id),
    FOREIGN KEY(article_id) REFERENCES articles (id),
    FOREIGN KEY(run_id) REFERENCES runs (id),
    FOREIGN KEY(capture_id) REFERENCES captures (id)
);
CREATE INDEX ix_fetches_article ON fetches (article_id, id);
CREATE INDEX ix_fetches_run ON fetches (run_id);
