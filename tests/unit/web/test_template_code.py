"""Compiled templates are shared by every environment of the process, follow what a page
extends, includes and imports, and a changed template compiles anew."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import DictLoader, Environment

from kano.adapters.web.template_code import SharedTemplateCode, compile_templates

SOURCES = {
    "page.html": '{% extends "base.html" %}{% import "macros.html" as m %}'
    "{% block body %}{{ m.hello(name) }}{% include 'footer.html' %}{% endblock %}",
    "base.html": "<main>{% block body %}{% endblock %}</main>",
    "macros.html": "{% macro hello(who) %}Hello {{ who }}{% endmacro %}",
    "footer.html": "<footer>{{ _('Bye') }}</footer>",
    "other.html": "not referenced",
}


def environment(code: SharedTemplateCode, sources: dict[str, str], bye: str) -> Environment:
    env = Environment(loader=DictLoader(sources), bytecode_cache=code, autoescape=True)
    env.globals["_"] = lambda text: bye
    return env


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    real = Environment.compile

    def counting(self: Environment, source: Any, name: str | None = None, *a: Any,
                 **k: Any) -> Any:  # fmt: skip
        names.append(str(name))
        return real(self, source, name, *a, **k)

    monkeypatch.setattr(Environment, "compile", counting)
    return names


def test_a_page_and_what_it_references_compile_once_for_every_environment(
    compiled: list[str],
) -> None:
    code = SharedTemplateCode()
    english = environment(code, SOURCES, "Bye")
    assert compile_templates(english, ["page.html"]) == [
        "page.html", "base.html", "macros.html", "footer.html"]  # fmt: skip
    assert sorted(compiled) == ["base.html", "footer.html", "macros.html", "page.html"]
    assert len(code) == 4

    compiled.clear()
    russian = environment(code, SOURCES, "Пока")  # another language's environment
    page = russian.get_template("page.html").render(name="Анна")
    assert page == "<main>Hello Анна<footer>Пока</footer></main>"
    assert compiled == []


def test_a_changed_template_compiles_anew(compiled: list[str]) -> None:
    code = SharedTemplateCode()
    compile_templates(environment(code, SOURCES, "Bye"), ["page.html"])
    changed = {**SOURCES, "base.html": "<div>{% block body %}{% endblock %}</div>"}
    compiled.clear()
    page = environment(code, changed, "Bye").get_template("page.html").render(name="Ann")
    assert page == "<div>Hello Ann<footer>Bye</footer></div>"
    assert compiled == ["base.html"]
