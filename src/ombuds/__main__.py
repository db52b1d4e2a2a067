"""``python -m ombuds``: the ``ombuds`` command, for a process that starts another (the runner's
background tuning) without relying on where the command's script was installed."""

from ombuds.cli import app

app()
