"""Model artifacts shipped with Ombuds, built by scripts/build_enrichment_models.py (see docs/analysis.md)."""
