"""Empowered resolutions: a brand's catalogue of what agents may give, within limits per role."""
