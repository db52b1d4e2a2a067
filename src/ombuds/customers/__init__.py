"""One customer across channels: the profile, and merging two records of one person (and undoing it)."""
