-- Frozen. What removals, restorations and unreachable sites need (issue 13); never edit.
-- runs: articles that came back, and why a run reached nothing at all (DNS, refused, ...).
ALTER TABLE runs ADD COLUMN restored INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN unreachable VARCHAR(20);
-- every removal and restoration of an article, next to the run that saw it
CREATE TABLE article_events (
    id INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    run_id INTEGER,
    happened_at DATETIME NOT NULL,
    kind VARCHAR(20) NOT NULL,
    status INTEGER,
    location TEXT,
    PRIMARY KEY (id),
    FOREIGN KEY(article_id) REFERENCES articles (id),
    FOREIGN KEY(run_id) REFERENCES runs (id)
);
CREATE INDEX ix_article_events_happened ON article_events (happened_at, id);
CREATE INDEX ix_article_events_run ON article_events (run_id);
CREATE INDEX ix_article_events_article ON article_events (article_id, id);
