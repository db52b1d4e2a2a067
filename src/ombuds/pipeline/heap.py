"""How often Python's cycle collector runs in a process that runs the pipeline.

By default it looks for cycles every 700 new container objects, and every few of those passes
walk the older objects too: the analysis models, the detectors' state, the ORM's rows. A batch of
500 mentions makes hundreds of thousands of such objects, so at the default the collector took
about a fifth of the stages' CPU (1.8 s of 7.6 s over 2,000 mentions); every 10,000 it took
about a twentieth (0.4 s); every 100,000 a runner spends 0.37-0.40 s in it over the 20,000
mentions of `ombuds bench pipeline` where every 10,000 it spent 0.86-0.94 s: a round's rows die
with its session before a collection walks them, and the older generations are walked less
often. A collection then takes 40 ms on average, at most about 0.1 s, and the runner peaks 9 MB
higher (662 MB against 653). Memory is freed by reference counting as before; only cycles wait
a little longer.
"""

from __future__ import annotations

import gc

THRESHOLDS = (100_000, 20, 20)


def tune_collector() -> None:
    """Collect cycles less often (see the module's docstring); for long-running commands."""
    gc.set_threshold(*THRESHOLDS)
