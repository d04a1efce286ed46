-- Frozen. The indexes the web page reads through; archives whose 0001 already made them keep them.
CREATE INDEX IF NOT EXISTS ix_articles_latest_version ON articles (latest_version_id);
CREATE INDEX IF NOT EXISTS ix_versions_fetched ON versions (fetched_at, id);
