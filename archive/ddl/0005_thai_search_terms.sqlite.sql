-- Frozen. The search index with the terms of archive/search_terms.py (words, compound parts,
-- every dictionary word on a Thai cluster boundary), replacing search_fts, whose unicode61
-- tokenizer cut Thai words at their vowel and tone marks. The terms are made in Python and hold
-- only letters, digits and marks: the 'ascii' tokenizer splits them at the spaces between them
-- and nowhere else. detail=column: which column holds a term, no positions (phrases are checked
-- on the text itself). Filled by archive/search_index.py behind search_state's high-water mark.
DROP TABLE IF EXISTS search_fts;
CREATE VIRTUAL TABLE search_terms USING fts5(
    title, body, content='', detail='column', tokenize='ascii'
);
CREATE TABLE search_state (
    id INTEGER NOT NULL,
    indexed_through BIGINT NOT NULL,
    rebuild_target BIGINT,
    pending_max BIGINT,
    pending_xmax BIGINT,
    PRIMARY KEY (id)
);
