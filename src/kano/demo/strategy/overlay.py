"""The demo strategy in Russian and Hungarian: translation overlays over the English file.

There is one strategy (``demo_strategy.yaml``: structure, numbers, keys, English texts)
and, per language, an overlay (``demo_strategy.ru.yaml``, ``demo_strategy.hu.yaml``)
holding nothing but texts, addressed by the stable keys::

    units:                     # the measures' and key results' units, by English unit
      days: nap
    texts:
      objective grow-revenue:  # "<kind> <key>" (links: "link <cause> > <effect>",
        title: …               #  check-ins: "check_in <key result> <at>")
        description: …

Keys never change with the language, so links, metric bindings, the API and a re-import
by key keep working; a re-import in another language only rewrites texts. An address is
a kind and a key rather than a path because the MBO sheets repeat the same objective
(same key, same title) for several drivers: it is translated once. :func:`text_fields`
refuses a document where one address carries two different English texts, and
:func:`overlay_problems` lists what an overlay misses or names that the English file does
not have, so the three files cannot drift apart unnoticed (a test checks both).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

DEMO_LANGUAGES = ("en", "ru", "hu")
"""The languages the demo content is written in (English is the strategy file itself)."""
TEXT_FIELDS = ("name", "title", "description", "customer_voice", "hypothesis", "comment")
"""The fields a reader reads; ``unit`` is translated through the overlay's ``units``."""

# What each list of the document holds, by the kind of the item that has the list.
_CHILDREN: dict[str, dict[str, str]] = {
    "document": {"scorecards": "scorecard", "okr_cycles": "okr_cycle", "mbo_sheets": "mbo_sheet"},
    "scorecard": {"perspectives": "perspective", "links": "link", "initiatives": "initiative"},
    "perspective": {"objectives": "objective"},
    "objective": {"measures": "measure"},
    "okr_cycle": {"objectives": "okr_objective"},
    "okr_objective": {"key_results": "key_result"},
    "key_result": {"check_ins": "check_in"},
    "mbo_sheet": {"objectives": "mbo_objective"},
}


def overlay_file(language: str) -> Path:
    """Where the overlay of ``language`` lives (beside the strategy file)."""
    return Path(__file__).with_name(f"demo_strategy.{language}.yaml")


def _address(kind: str, item: Mapping[str, Any], parent_key: str) -> str:
    if kind == "link":
        return f"link {item['cause']} > {item['effect']}"
    if kind == "check_in":
        at = item["at"]
        return f"check_in {parent_key} {at.isoformat() if isinstance(at, datetime) else at}"
    return f"{kind} {item['key']}"


def _items(
    node: Mapping[str, Any], kind: str = "document", parent_key: str = ""
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every item of the document below ``node`` with its address."""
    for field, child_kind in _CHILDREN.get(kind, {}).items():
        for item in node.get(field) or []:
            address = _address(child_kind, item, parent_key)
            yield address, item
            yield from _items(item, child_kind, str(item.get("key", parent_key)))


def text_fields(document: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The English texts of ``document``: address → field → text."""
    found: dict[str, dict[str, str]] = {}
    for address, item in _items(document):
        for field in TEXT_FIELDS:
            text = item.get(field)
            if not isinstance(text, str):
                continue
            known = found.setdefault(address, {}).get(field)
            if known is not None and known != text:
                raise ValueError(f"{address} has two different {field}s: {known!r}, {text!r}")
            found[address][field] = text
    return {address: fields for address, fields in found.items() if fields}


def units(document: Mapping[str, Any]) -> set[str]:
    """Every unit the document's measures and key results use."""
    return {item["unit"] for _, item in _items(document) if isinstance(item.get("unit"), str)}


def load_overlay(language: str) -> dict[str, Any]:
    """The overlay of ``language`` as data (``{"units": …, "texts": …}``)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded = yaml.load(overlay_file(language).read_text(encoding="utf-8"), Loader=loader)
    return {"units": dict(loaded.get("units") or {}), "texts": dict(loaded.get("texts") or {})}


def overlay_problems(document: Mapping[str, Any], overlay: Mapping[str, Any]) -> list[str]:
    """What ``overlay`` lacks or names beyond ``document``: empty when they match."""
    english = text_fields(document)
    texts: Mapping[str, Any] = overlay["texts"]
    problems = [f"missing: {address}" for address in english if address not in texts]
    problems += [f"unknown: {address}" for address in texts if address not in english]
    for address in english.keys() & texts.keys():
        given = texts[address] or {}
        problems += [f"missing: {address}.{f}" for f in english[address] if f not in given]
        problems += [f"unknown: {address}.{f}" for f in given if f not in english[address]]
        problems += [
            f"empty: {address}.{f}"
            for f, text in given.items()
            if not isinstance(text, str) or not text.strip()
        ]
    needed = units(document)
    problems += [f"missing unit: {unit}" for unit in sorted(needed - overlay["units"].keys())]
    problems += [f"unknown unit: {unit}" for unit in sorted(overlay["units"].keys() - needed)]
    return problems


def translated(
    document: dict[str, Any], language: str, overlay: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``document`` (changed in place) with its texts in ``language``: English as it is,
    any other language from its overlay (``overlay``, else the language's file), which
    must cover every text and name nothing else (else ValueError)."""
    if language not in DEMO_LANGUAGES:
        raise ValueError(f"the demo is written in {', '.join(DEMO_LANGUAGES)}, not {language!r}")
    if language == "en":
        return document
    overlay = load_overlay(language) if overlay is None else overlay
    problems = overlay_problems(document, overlay)
    if problems:
        raise ValueError(f"the {language} overlay does not match the demo strategy: {problems}")
    for address, item in list(_items(document)):
        for field, text in (overlay["texts"].get(address) or {}).items():
            item[field] = text
        if isinstance(item.get("unit"), str):
            item["unit"] = overlay["units"][item["unit"]]
    return document
