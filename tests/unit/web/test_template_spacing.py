"""Sentences in a paragraph keep the space between them.

The templates are rendered with ``trim_blocks`` and ``lstrip_blocks``: the newline after
``{% endif %}`` and the indentation before the next line's ``{% if %}`` both go, so two
sentences written on two lines came out glued, as in the webhook form's refusal "Check
this field: URL.It points at a loopback…" (QA pass, session 17). Such a line starts with
``{%+ if`` (the plus keeps its indentation). Checked by rendering the real environment and
by reading every template.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment

import kano.adapters.web

TEMPLATES = Path(kano.adapters.web.__file__).parent / "templates"
ENDS_TEXT = re.compile(r"\S.*\{%-?\s*end(if|trans|for)\s*-?%\}\s*$")
STARTS_TEXT = re.compile(r"^\s*\{%-?\s*(if|trans)\b[^%]*%\}(\s*\{%[^%]*%\})*\s*(?![<{])\S")


def _glued_lines(path: Path) -> list[int]:
    """Lines inside a <p> that would join the previous line's text without a space."""
    lines = path.read_text(encoding="utf-8").split("\n")
    glued, open_paragraphs = [], 0
    for number, line in enumerate(lines, start=1):
        inside = open_paragraphs > 0
        open_paragraphs += len(re.findall(r"<p[\s>]", line)) - line.count("</p>")
        after_text = number > 1 and ENDS_TEXT.search(lines[number - 2]) is not None
        if inside and after_text and STARTS_TEXT.match(line):
            glued.append(number)
    return glued


def test_the_environment_drops_the_space_the_templates_must_keep() -> None:
    environment = Environment(trim_blocks=True, lstrip_blocks=True)
    two_lines = "<p>{% if a %}1.{% endif %}\n  {% if b %}2.{% endif %}\n"
    two_lines += "  {%+ if c %}3.{% endif %}</p>"
    assert environment.from_string(two_lines).render(a=1, b=1, c=1) == "<p>1.2.  3.</p>"


def test_no_paragraph_glues_two_sentences() -> None:
    glued = {str(path.relative_to(TEMPLATES)): lines for path in sorted(TEMPLATES.rglob("*.html"))
             if (lines := _glued_lines(path))}  # fmt: skip
    assert glued == {}
