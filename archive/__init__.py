"""The versioned article archive: storage, versioning, diffs, export and the read-only web page."""
