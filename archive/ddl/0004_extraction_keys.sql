-- Frozen. Which extractor and parse options made each version's content hash (NULL: release
-- 0.1.0's), and each article's baseline: the hash its latest content has under a known key.
ALTER TABLE versions ADD COLUMN extraction_key VARCHAR(16);
ALTER TABLE articles ADD COLUMN baseline_hash VARCHAR(64);
ALTER TABLE articles ADD COLUMN baseline_key VARCHAR(16);
