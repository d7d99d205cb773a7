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


def environment(code: SharedTemplateCode, sources: dict[str, str], bye: str,
                language: str = "en") -> Environment:
    env = Environment(loader=DictLoader(sources), bytecode_cache=code, autoescape=True)
    env.globals.update(_=lambda text: bye, language=language)
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


def test_a_page_and_what_it_references_compile_once_for_every_environment_of_a_language(
    compiled: list[str],
) -> None:
    code = SharedTemplateCode()
    english = environment(code, SOURCES, "Bye")
    assert compile_templates(english, ["page.html"]) == [
        "page.html", "base.html", "macros.html", "footer.html"]  # fmt: skip
    assert sorted(compiled) == ["base.html", "footer.html", "macros.html", "page.html"]
    assert len(code) == 4

    compiled.clear()
    another = environment(code, SOURCES, "See you")  # a later environment, same language
    assert another.get_template("page.html").render(name="Ann") == (
        "<main>Hello Ann<footer>See you</footer></main>")
    assert compiled == []

    russian = environment(code, SOURCES, "Пока", language="ru")  # its own compilation
    page = russian.get_template("page.html").render(name="Анна")
    assert page == "<main>Hello Анна<footer>Пока</footer></main>"
    assert sorted(compiled) == ["base.html", "footer.html", "macros.html", "page.html"]


def test_a_changed_template_compiles_anew(compiled: list[str]) -> None:
    code = SharedTemplateCode()
    compile_templates(environment(code, SOURCES, "Bye"), ["page.html"])
    changed = {**SOURCES, "base.html": "<div>{% block body %}{% endblock %}</div>"}
    compiled.clear()
    page = environment(code, changed, "Bye").get_template("page.html").render(name="Ann")
    assert page == "<div>Hello Ann<footer>Bye</footer></div>"
    assert compiled == ["base.html"]



def test_a_filter_with_constant_arguments_runs_in_each_language_of_the_shared_code() -> None:
    """The app's environments (one per language) share compiled code; a constant filter
    call such as the customer page's "<{{ 0.01|percent }}" must still be written each
    reader's way, not the way of the language that compiled it first."""
    from babel.support import Translations

    from kano.adapters.web.templating import Templates

    code = SharedTemplateCode()
    loader: Any = DictLoader({"tiny.html": "<{{ 0.01|percent }}"})

    def rendered(language: str) -> str:
        env = Templates._environment(loader, language, Translations())
        env.bytecode_cache = code
        return env.get_template("tiny.html").render()

    assert rendered("en") == "<1%"
    assert len(code) == 1
    assert rendered("ru") == "<1\u00a0%"
