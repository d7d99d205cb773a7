"""How the exported YAML looks: block style, fields in schema order, multi-line text as
``|`` blocks, one line per measure value, and floats as Python's shortest ``repr`` (which
reads back to the same float), so the same data always gives the same bytes."""

from __future__ import annotations

from enum import Enum
from typing import Any

import yaml


class _FlowMapping(dict[str, Any]):
    """A mapping written on one line: ``{period: 2026-01-01, actual: 41.5}``."""


class _FlowList(list[Any]):
    """A list of keys written on one line: ``[grow-revenue, retain-customers]``."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write YAML by hand.
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # The emitter falls back to a quoted style where a block cannot hold the text exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _enum(dumper: yaml.SafeDumper, value: Enum) -> yaml.ScalarNode:
    return _text(dumper, str(value.value))


def _flow_mapping(dumper: yaml.SafeDumper, value: _FlowMapping) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


def _flow_list(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _text)
_Dumper.add_multi_representer(Enum, _enum)
_Dumper.add_representer(_FlowMapping, _flow_mapping)
_Dumper.add_representer(_FlowList, _flow_list)
_Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]

_ONE_LINE_MAPPINGS = {"values", "metric"}
# Mappings written on one line: a metric binding, and in a custom metric its names in
# each language and the two sides of a ratio (as ``kano metrics`` definition files do).
_ONE_LINE_VALUES = {"metric", "name", "numerator", "denominator"}


def _styled(node: Any, key: str | None = None) -> Any:
    """Mark the parts that read better on one line: measure values, metric bindings,
    custom metrics' names and ratio sides, and lists of keys."""
    if isinstance(node, dict):
        styled = {name: _styled(value, name) for name, value in node.items()}
        return _FlowMapping(styled) if key in _ONE_LINE_VALUES else styled
    if isinstance(node, list):
        items = [_styled(item) for item in node]
        if key in _ONE_LINE_MAPPINGS:
            return [_FlowMapping(item) if isinstance(item, dict) else item for item in items]
        if items and all(isinstance(item, str) for item in items):
            return _FlowList(items)
        return items
    return node


def dump_yaml(data: dict[str, Any], header: str = "") -> str:
    body = yaml.dump(
        _styled(data),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
    return header + body
