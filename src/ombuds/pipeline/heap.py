"""How often Python's cycle collector runs in a process that runs the pipeline.

By default it looks for cycles every 700 new container objects, and every few of those passes
walk the older objects too: the analysis models, the detectors' state, the ORM's rows. A batch of
500 mentions makes hundreds of thousands of such objects, so at the default the collector took
about a fifth of the stages' CPU (1.8 s of 7.6 s over 2,000 mentions); every 10,000 it takes
about a twentieth (0.4 s). Memory is freed by reference counting as before; only cycles wait a
little longer.
"""

from __future__ import annotations

import gc

THRESHOLDS = (10_000, 20, 20)


def tune_collector() -> None:
    """Collect cycles less often (see the module's docstring); for long-running commands."""
    gc.set_threshold(*THRESHOLDS)
