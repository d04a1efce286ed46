-- Frozen. Why requests of a run ended without a page, counted by kind (issue 14), as a JSON
-- object ({"timeout": 2, "redirect loop": 1}); NULL for runs before it or with none.
ALTER TABLE runs ADD COLUMN reasons TEXT;
-- the last robots.txt each origin answered with 2xx: the rules a crawl keeps to when the
-- server errs or times out on it (RFC 9309, 2.3.1.4)
CREATE TABLE robots_txt (
    origin VARCHAR(255) NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (origin)
);
