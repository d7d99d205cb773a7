"""``python -m kano`` is the same as the ``kano`` command."""

from kano.adapters.cli.main import run

run()
