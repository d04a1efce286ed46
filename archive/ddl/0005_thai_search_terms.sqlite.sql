-- Frozen. The search index with the terms of archive/search_terms.py (words, compound parts,
-- every dictionary word on a Thai cluster boundary), replacing search_fts, whose unicode61
-- tokenizer cut Thai words at their vowel and tone marks. The terms are made in Python and hold
-- only letters, digits and marks: the 'ascii' tokenizer splits them at the spaces between them
-- and nowhere else. detail=none: a term finds row ids, nothing more (queries are ANDs of terms;
-- phrases are checked on the text itself). search_terms holds each version's title and body,
-- search_titles its title alone, so that "the title holds it" reads short lists. Filled by
-- archive/search_index.py behind search_state's high-water mark.
DROP TABLE IF EXISTS search_fts;
CREATE VIRTUAL TABLE search_terms USING fts5(
    terms, content='', detail='none', tokenize='ascii'
);
CREATE VIRTUAL TABLE search_titles USING fts5(
    terms, content='', detail='none', tokenize='ascii'
);
CREATE TABLE search_state (
    id INTEGER NOT NULL,
    indexed_through BIGINT NOT NULL,
    rebuild_target BIGINT,
    pending_max BIGINT,
    pending_xmax BIGINT,
    PRIMARY KEY (id)
);
