-- Frozen. The search index with the terms of archive/search_terms.py (words, compound parts,
-- every dictionary word on a Thai cluster boundary), replacing search_index. The terms are made
-- in Python and stored as given (array_to_tsvector: no parser, no positions); phrases are
-- checked on the text itself. Filled by archive/search_index.py behind search_state's
-- high-water mark.
DROP TABLE IF EXISTS search_index;
CREATE TABLE search_terms (
    version_id BIGINT NOT NULL REFERENCES versions (id),
    article_id INTEGER NOT NULL,
    title TSVECTOR NOT NULL,
    terms TSVECTOR NOT NULL,
    PRIMARY KEY (version_id)
);
CREATE INDEX ix_search_terms_terms ON search_terms USING GIN (terms);
CREATE INDEX ix_search_terms_title ON search_terms USING GIN (title);
CREATE INDEX ix_search_terms_article ON search_terms (article_id);
CREATE TABLE search_state (
    id INTEGER NOT NULL,
    indexed_through BIGINT NOT NULL,
    rebuild_target BIGINT,
    pending_max BIGINT,
    pending_xmax BIGINT,
    PRIMARY KEY (id)
);
