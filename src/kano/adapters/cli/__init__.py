"""The ``kano`` command line (Typer + Rich)."""
