-- Frozen: the archive's first schema, as release 0.1.0 created it. Never edit; add a migration.
CREATE TABLE bodies (
    digest VARCHAR(64) NOT NULL,
    codec VARCHAR(16) NOT NULL,
    ref_digest VARCHAR(64),
    raw_size INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (digest),
    FOREIGN KEY(ref_digest) REFERENCES bodies (digest)
);
CREATE TABLE sites (
    id INTEGER NOT NULL,
    name VARCHAR(200) NOT NULL,
    ref_digest VARCHAR(64),
    PRIMARY KEY (id),
    UNIQUE (name),
    FOREIGN KEY(ref_digest) REFERENCES bodies (digest)
);
CREATE TABLE articles (
    id INTEGER NOT NULL,
    url TEXT NOT NULL,
    site_id INTEGER NOT NULL,
    first_seen DATETIME NOT NULL,
    last_checked DATETIME NOT NULL,
    last_changed DATETIME NOT NULL,
    gone_at DATETIME,
    version_count INTEGER NOT NULL,
    latest_version_id BIGINT,
    ref_digest VARCHAR(64),
    PRIMARY KEY (id),
    CONSTRAINT uq_articles_url UNIQUE (url),
    FOREIGN KEY(site_id) REFERENCES sites (id),
    FOREIGN KEY(ref_digest) REFERENCES bodies (digest)
);
CREATE INDEX ix_articles_last_changed ON articles (last_changed);
CREATE INDEX ix_articles_site_changed ON articles (site_id, last_changed);
CREATE TABLE runs (
    id INTEGER NOT NULL,
    site_id INTEGER NOT NULL,
    started_at DATETIME NOT NULL,
    finished_at DATETIME,
    outcome VARCHAR(20),
    pages INTEGER NOT NULL,
    new INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    gone INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    error_text TEXT,
    PRIMARY KEY (id),
    FOREIGN KEY(site_id) REFERENCES sites (id)
);
CREATE TABLE captures (
    id INTEGER NOT NULL,
    article_id INTEGER,
    url TEXT NOT NULL,
    fetched_at DATETIME NOT NULL,
    status INTEGER NOT NULL,
    headers JSON NOT NULL,
    etag TEXT,
    last_modified TEXT,
    digest VARCHAR(64) NOT NULL,
    run_id INTEGER,
    PRIMARY KEY (id),
    FOREIGN KEY(article_id) REFERENCES articles (id),
    FOREIGN KEY(digest) REFERENCES bodies (digest),
    FOREIGN KEY(run_id) REFERENCES runs (id)
);
CREATE INDEX ix_captures_article ON captures (article_id, id);
CREATE INDEX ix_captures_digest ON captures (digest);
CREATE TABLE versions (
    id INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    fetched_at DATETIME NOT NULL,
    title TEXT,
    published VARCHAR(40),
    modified VARCHAR(40),
    text TEXT NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    capture_id INTEGER NOT NULL,
    revert_of INTEGER,
    PRIMARY KEY (id),
    CONSTRAINT uq_versions_article_number UNIQUE (article_id, number),
    FOREIGN KEY(article_id) REFERENCES articles (id),
    FOREIGN KEY(capture_id) REFERENCES captures (id)
);
CREATE INDEX ix_versions_content_hash ON versions (content_hash);
