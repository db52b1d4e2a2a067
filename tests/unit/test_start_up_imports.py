"""Every command and every server start pays for what ``ombuds`` imports; the heavy libraries wait.

scikit-learn and scipy.stats (seconds), torch and the sentence encoder (more), ONNX Runtime, WeasyPrint: each is
imported by the one function that needs it, so ``ombuds --help``, ``ombuds serve`` and the tests
that start them are not kept waiting.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "sklearn",
    "scipy.stats",
    "torch",
    "sentence_transformers",
    "transformers",
    "weasyprint",
    "onnxruntime",
)


def test_the_cli_and_the_web_app_start_without_the_heavy_libraries() -> None:
    probe = (
        "import sys, ombuds.cli.main, ombuds.web.app; "
        f"print(sorted(name for name in {HEAVY!r} if name in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", f"imported at start-up: {loaded.stdout.strip()}"
