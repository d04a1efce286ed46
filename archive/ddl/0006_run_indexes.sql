-- Frozen. What health and the home page read per run: the captures a run made, the version each
-- capture produced. Without them every health check scanned all captures and versions.
CREATE INDEX IF NOT EXISTS ix_captures_run ON captures (run_id, id);
CREATE INDEX IF NOT EXISTS ix_versions_capture ON versions (capture_id);
