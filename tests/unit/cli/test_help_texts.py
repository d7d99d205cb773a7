"""Every command's summary is one line, as `kano --help` lists it.

Typer keeps the line breaks of a docstring's first paragraph in a group's command list,
so a summary hard-wrapped over four lines printed as four ragged lines under `kano --help`
(`kano worker`, session 17). PEP 257: a one-line summary, a blank line, then the details.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import typer

from kano.adapters.cli.main import app


def _commands(command: Any, path: str) -> Iterator[tuple[str, Any]]:
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, f"{path} {name}")
    yield path, command


def test_every_command_summary_is_one_line() -> None:
    commands = list(_commands(typer.main.get_command(app), "kano"))
    assert len(commands) > 40, "the walk reached the sub-commands"
    wrapped = [path for path, command in commands
               if "\n" in inspect.cleandoc(command.help or "").split("\n\n")[0]]  # fmt: skip
    assert wrapped == []
