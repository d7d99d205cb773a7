"""The README is the user's contract: its settings table and its two commands must be real."""

from __future__ import annotations

import re
from pathlib import Path

from kano.config import Settings

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme() -> None:
    documented = set(re.findall(r"`(KANO_[A-Z_]+)`", README))
    expected = {f"KANO_{name.upper()}" for name in Settings.model_fields}
    assert expected == documented


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    block = README.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["./scripts/demo.sh", "./scripts/test.sh"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test.sh" in ci
