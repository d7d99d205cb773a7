"""The OKR tree of one cycle as a file: CSV, XLSX (one flat table) or an A4 PDF.

Rows follow the tree depth first, as the page shows it: an objective (its level, owner,
team and parent objective, its progress), then its key results (start, target, current,
progress 0.0–1.0, the latest check-in's confidence 0–10 and time), then its children.
Texts arrive translated and numbers formatted by the caller (the web route).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from kano.adapters.db.views.okr import OkrNode, OkrTree
from kano.adapters.exports.pdf_pen import GROUP_FILL, Table, a4_document
from kano.adapters.exports.table_files import Line


@dataclass(frozen=True)
class OkrTexts:
    title: str  # "OKR tree"
    cycle: str
    cycle_value: str  # "Q3 2026 · Jul 2026 – Sep 2026 · Open"
    level: str
    objective: str
    parent: str
    owner: str
    team: str
    key_result: str
    unit: str
    start: str
    target: str
    current: str
    progress: str
    confidence: str
    last_check_in: str
    page: str  # "Page %(number)s"
    levels: Mapping[str, str]  # company / team / person, translated
    confidence_words: Mapping[str, str]  # on_track / at_risk / off_track, translated
    number_text: Callable[[float | None], str]
    percent_text: Callable[[float | None], str]  # a share 0–1: "75%"
    moment_text: Callable[[datetime], str]


def walk(tree: OkrTree) -> Iterator[tuple[OkrNode, OkrNode | None, int]]:
    """Every objective with its parent and depth, depth first in the page's order."""
    stack: list[tuple[OkrNode, OkrNode | None, int]] = [
        (root, None, 0) for root in reversed(tree.roots)]
    while stack:
        node, parent, depth = stack.pop()
        yield node, parent, depth
        stack.extend((child, node, depth + 1) for child in reversed(node.children))


def columns(texts: OkrTexts) -> list[str]:
    return [texts.level, texts.objective, texts.parent, texts.owner, texts.team,
            texts.key_result, texts.unit, texts.start, texts.target, texts.current,
            texts.progress, texts.confidence, texts.last_check_in, texts.cycle]


PROGRESS_FORMATS: tuple[str | None, ...] = (*[None] * 10, "0.00")


def _figure(value: float | None) -> float | None:
    """A live value summed from the warehouse carries float noise (1580229.399999999);
    six decimals keep every figure a person typed and drop the noise."""
    return None if value is None else round(value, 6)


def okr_lines(tree: OkrTree, texts: OkrTexts) -> list[Line]:
    """One line an objective and one a key result; the cycle on each, so files of several
    cycles can be put together."""
    lines = []
    cycle = tree.cycle.name
    for node, parent, _depth in walk(tree):
        level = texts.levels.get(node.level, node.level)
        lines.append(Line(
            [level, node.title, parent.title if parent else None, node.owner, node.team,
             None, None, None, None, None, round(node.progress, 4), None, None, cycle],
            PROGRESS_FORMATS, bold=True))
        for kr in node.key_results:
            latest = kr.latest
            lines.append(Line(
                [level, node.title, parent.title if parent else None, node.owner, node.team,
                 kr.title, kr.unit, _figure(kr.start), _figure(kr.target), _figure(kr.current),
                 round(kr.progress, 4), latest.confidence if latest else None,
                 latest.at if latest else None, cycle],
                PROGRESS_FORMATS))
    return lines


XLSX_WIDTHS = (12, 36, 30, 20, 20, 40, 9, 10, 10, 10, 10, 11, 18, 12)
# Landscape A4: objective / key result (indented by depth), owner | start, target, current,
# progress, confidence, last check-in; widths in points summing to the text width.
PDF_COLUMNS = (250.0, 105.0, 62.0, 62.0, 62.0, 62.0, 70.0, 68.89)


def okr_pdf(tree: OkrTree, texts: OkrTexts) -> bytes:
    table = Table(PDF_COLUMNS, [
        f"{texts.objective} / {texts.key_result}", texts.owner, texts.start, texts.target,
        texts.current, texts.progress, texts.confidence, texts.last_check_in,
    ], left=2)
    number, percent = texts.number_text, texts.percent_text
    with a4_document(texts.page, landscape=True) as (pen, output):
        pen.title(f"{texts.title}: {tree.cycle.name}")
        pen.y += 6
        pen.facts([(texts.cycle, texts.cycle_value)])
        pen.y += 14
        table.draw_header(pen)
        for node, parent, depth in walk(tree):
            about = " · ".join(part for part in (
                texts.levels.get(node.level, node.level), node.team,
                f"{texts.parent}: {parent.title}" if parent else None) if part)
            table.row(pen, [node.title, node.owner or "", "", "", "", percent(node.progress),
                            "", ""], bold=True, fill=GROUP_FILL if depth == 0 else None,
                      indent=12 * depth, note=about)
            for kr in node.key_results:
                latest = kr.latest
                confidence = ""
                if latest is not None:
                    band = texts.confidence_words.get(latest.band.value, "")
                    confidence = f"{latest.confidence} · {band}" if band else str(
                        latest.confidence)
                table.row(pen, [
                    kr.title, "", number(kr.start), number(kr.target), number(kr.current),
                    percent(kr.progress), confidence,
                    texts.moment_text(latest.at) if latest else "",
                ], indent=12 * depth + 12, note=kr.unit or None)
    return output.getvalue()
