"""Data files of the replica site: cleaned sample articles, page templates, its profile."""
