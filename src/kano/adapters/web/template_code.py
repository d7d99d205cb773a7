"""Compiled templates shared by the Jinja environments of the process, one copy per language.

Why: each UI language has its own environment (:mod:`kano.adapters.web.templating`), and a
Jinja environment compiles a template on its first use. The journey map's template alone
took 0.1–0.5 s to parse and compile on its page's first visit, which the server's warm-up
(:mod:`kano.adapters.web.warm_figures`) did not spare even with the map's figures kept, so
that first visit was slower than the figures' own computation. Compiled code is kept here,
so the warm-up can compile once what every later environment of that language reuses; a
template whose source changed compiles anew (the source's checksum is part of what is
kept).

Per language, not one copy for all: Jinja folds constant output at compile time, filters
included (even with ``optimized=False``), so "<{{ 0.01|percent }}" compiled by the English
environment would be kept as "<1%" and served to Russian readers, who read "<1 %".
"""
from __future__ import annotations

from collections.abc import Iterable
from threading import Lock
from types import CodeType

from jinja2 import BytecodeCache, Environment, meta
from jinja2.bccache import Bucket


class SharedTemplateCode(BytecodeCache):
    """Compiled template code kept in memory, by template and source checksum."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, CodeType]] = {}
        self._lock = Lock()

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The bucket of ``name`` in ``environment``'s language (its ``language`` global)."""
        language = environment.globals.get("language", "")
        bucket = Bucket(environment, f"{language}:{self.get_cache_key(name, filename)}",
                        self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            found = self._code.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            with self._lock:
                self._code[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        with self._lock:
            self._code.clear()

    def __len__(self) -> int:
        return len(self._code)


COMPILED_TEMPLATES = SharedTemplateCode()
"""The process's compiled templates: every environment of ``Templates`` reads and adds here
(each under its language)."""


def compile_templates(environment: Environment, names: Iterable[str]) -> list[str]:
    """Compile the named templates and every template they extend, include or import
    (so a page's first render compiles nothing); returns the names compiled, in order."""
    assert environment.loader is not None
    pending, done = list(names), list[str]()
    while pending:
        name = pending.pop(0)
        if name in done:
            continue
        environment.get_template(name)  # compiled into COMPILED_TEMPLATES (if it uses it)
        done.append(name)
        source, _filename, _uptodate = environment.loader.get_source(environment, name)
        referenced = meta.find_referenced_templates(environment.parse(source))
        pending.extend(ref for ref in referenced if ref is not None and ref not in done)
    return done
