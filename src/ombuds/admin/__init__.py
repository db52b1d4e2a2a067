"""Administration in the app: brands, teams, people, tokens, routing, SLA, alert channels, sources.

Pages only: every change goes through the owning package's actions.
"""
