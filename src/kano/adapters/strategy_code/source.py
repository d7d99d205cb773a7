"""Read a strategy YAML file while remembering the line of every field.

PyYAML's plain loaders forget where things came from, so the file is first *composed*
into nodes (which carry marks) and constructed from those same nodes; a parallel walk of
the nodes gives each path (``("scorecards", 0, "name")``) its line. Errors found later by
pydantic or by the cross-reference checks are then reported as ``FILE:LINE: path: message``.

The nodes come from libyaml (``CSafeLoader``: the same nodes, marks and values, about ten
times faster than the pure-Python parser, which was half of a large file's import). A file
libyaml refuses is read again by the pure-Python ``SafeLoader``, whose messages are the
ones users see (libyaml's are vaguer: "found character that cannot start any token"
without the character, and now and then a line further on).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from kano.domain.shared.errors import KanoError

Loc = tuple[str | int, ...]

_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def format_loc(loc: Sequence[str | int]) -> str:
    """``("scorecards", 0, "name")`` → ``scorecards[0].name``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def parse_loc(field: str) -> Loc:
    """``objectives[2].weight`` → ``("objectives", 2, "weight")`` (the reverse of
    ``format_loc``)."""
    return tuple(int(index) if index else name for name, index in _FIELD_PART.findall(field))


@dataclass(frozen=True, order=True)
class DocumentError:
    line: int
    path: str
    message: str

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class StrategyFileInvalid(KanoError):
    """The file cannot be imported; ``errors`` lists every problem found, sorted by line."""

    def __init__(self, source: str, errors: Sequence[DocumentError]) -> None:
        self.source = source
        self.errors = sorted(set(errors))
        count = len(self.errors)
        lines = "\n".join(error.render(source) for error in self.errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in {source}:\n{lines}")


@dataclass
class LoadedYaml:
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int:
        """Line of the deepest part of ``loc`` that exists in the file (a missing field is
        reported on the line of the mapping that lacks it)."""
        parts = tuple(loc)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), 1)

    def error(self, loc: Sequence[str | int], message: str) -> DocumentError:
        return DocumentError(self.line_of(loc), format_loc(loc), message)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A date that looks like one but does not exist (``2026-02-30``) stays text: the
    model then refuses it as ``FILE:LINE: path: message``, where PyYAML's own constructor
    would raise a bare ``ValueError`` that names neither the line nor the field."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


class _SafeLoader(yaml.SafeLoader):
    """The pure-Python safe loader, with impossible dates kept as text."""


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_PURE_LOADER: type[yaml.SafeLoader] = _SafeLoader

# libyaml when PyYAML was built with it (the wheels are), else the pure-Python loader.
_FAST_LOADER: type[yaml.SafeLoader] = _PURE_LOADER
if hasattr(yaml, "CSafeLoader"):

    class _CSafeLoader(yaml.CSafeLoader):
        """libyaml's safe loader, with impossible dates kept as text."""

    _CSafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
    _FAST_LOADER = _CSafeLoader


def load_yaml(text: str, source: str) -> LoadedYaml:
    """Parse ``text`` safely; syntax errors and repeated fields raise StrategyFileInvalid."""
    if _FAST_LOADER is not _PURE_LOADER:
        try:
            return _load(_FAST_LOADER, text, source)
        except StrategyFileInvalid as invalid:
            if not invalid.errors[0].message.startswith("YAML: "):
                raise  # empty, or a field given twice: found in the nodes, same either way
        except Exception:  # read again below, for the error as the pure-Python parser words it
            pass
    return _load(_PURE_LOADER, text, source)


def _load(loader_class: type[yaml.SafeLoader], text: str, source: str) -> LoadedYaml:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise StrategyFileInvalid(source, [DocumentError(1, "", "the file is empty")])
        errors: list[DocumentError] = []
        lines: dict[Loc, int] = {(): node.start_mark.line + 1}
        _index(node, (), lines, errors)
        if errors:
            raise StrategyFileInvalid(source, errors)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or str(error)
        raise StrategyFileInvalid(source, [DocumentError(line, "", f"YAML: {problem}")]) from None
    finally:
        loader.dispose()
    return LoadedYaml(data, lines)


def _index(node: yaml.Node, loc: Loc, lines: dict[Loc, int], errors: list[DocumentError]) -> None:
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            name, line = key_node.value, key_node.start_mark.line + 1
            if name in first_seen:
                message = (
                    f"'{name}' appears twice in this mapping (first at line {first_seen[name]})"
                )
                errors.append(DocumentError(line, format_loc((*loc, name)), message))
                continue
            first_seen[name] = line
            lines[(*loc, name)] = line
            _index(value_node, (*loc, name), lines, errors)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            _index(item, (*loc, index), lines, errors)
