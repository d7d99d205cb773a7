"""YAML with the line of every field, so validation errors can point at the line.

The text is composed into nodes (which carry their marks) and each node is converted
into plain Python while its path, e.g. ``("metrics", 0, "condition")``, is mapped to
its 1-based line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from kano.domain.shared.errors import InvalidInput

Path = tuple[str | int, ...]


def path_text(path: Sequence[str | int]) -> str:
    """``("metrics", 0, "condition")`` → ``metrics[0].condition``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass
class LinedYaml:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def error(self, path: Path, message: str) -> InvalidInput:
        return InvalidInput(f"{path_text(path)} (line {self.line(path)})", message)


def load_lined(text: str) -> LinedYaml:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        parts = [getattr(error, "context", None), getattr(error, "problem", None)]
        message = ": ".join(str(part) for part in parts if part) or str(error)
        raise InvalidInput(f"yaml (line {line})", message) from error
    result = LinedYaml(None)
    if node is not None:
        result.data = _convert(node, (), result.lines)
    return result


def _convert(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            mapping[key] = _convert(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines) for i, item in enumerate(node.value)]
    loader = yaml.SafeLoader("")
    return loader.construct_object(node, deep=True)
