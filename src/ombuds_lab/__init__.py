"""Ombuds lab: offline measurement of the product, kept apart from it.

Evaluation on labelled data sets, speed benchmarks, early-warning scoring and the distillation
that builds shipped model files. It imports ``ombuds``; ``ombuds`` never imports it (an
import-linter contract holds this). Its commands join ``ombuds`` through the
``ombuds.commands`` entry-point group: ``ombuds eval ...`` and ``ombuds bench ...``.
"""
