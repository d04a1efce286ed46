-- Frozen. What health and the home page read of each run: the captures it made, the version each
-- capture produced and the one before it, with the length of their text in the index itself
-- (length(text) would otherwise read every body). Without them every health check scanned all
-- captures and versions.
CREATE INDEX IF NOT EXISTS ix_captures_run ON captures (run_id, id);
CREATE INDEX IF NOT EXISTS ix_versions_capture_size ON versions (capture_id, article_id, number, length(text));
CREATE INDEX IF NOT EXISTS ix_versions_article_size ON versions (article_id, number, length(text));
