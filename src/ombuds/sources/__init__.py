"""Polling the configured sources: the poller, its schedule, each source's health, dead letters and
signed webhooks in. Connectors (``ombuds.connectors``) fetch; this package stores what they bring."""
