"""Approved wording: PR's talking points and holding statements, reply templates, and news items."""
