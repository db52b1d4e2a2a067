"""Search across cases, mentions and customers: one query language, one API over both databases."""
