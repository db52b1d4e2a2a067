"""The brand's survey and reopening settings, as a page."""
