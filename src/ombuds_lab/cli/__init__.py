"""The lab's command groups, found by ``ombuds`` through the ``ombuds.commands`` entry points."""
