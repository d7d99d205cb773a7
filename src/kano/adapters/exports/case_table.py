"""The case inbox as a file a care manager opens in a spreadsheet: CSV or XLSX.

One row per case, newest first: its number, when it opened, its title, the customer's
name, the rule that opened it (by name), priority, status, owner, team, both SLA deadlines, whether
an SLA was breached, and the root causes tagged. Headers and words arrive translated
(the web route knows the reader's language), and so does the title as the pages show it
(``case_title``: a rule's words in that language); times are UTC, as stored. Titles and names
come from respondents and staff, so the CSV guards against formula injection and the
XLSX stores them as text (:mod:`kano.adapters.exports.table_files`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from kano.adapters.db.views.case_export import CaseExportLine
from kano.adapters.exports.table_files import Line, table_csv, table_xlsx


@dataclass(frozen=True)
class CaseFileTexts:
    header: tuple[str, ...]
    statuses: Mapping[str, str]  # new / in_progress / resolved / loop_closed, translated
    yes: str
    no: str
    sheet: str  # the worksheet's name: "Cases"
    case_title: Callable[[str, str | None], str]  # stored title, rule → as the pages show it
    case_rule: Callable[[str | None], str]  # rule key → its name ("Detractors"), as the pages


XLSX_WIDTHS = (8, 17, 40, 24, 16, 8, 14, 22, 20, 17, 17, 10, 30)


def case_lines(lines: Iterable[CaseExportLine], texts: CaseFileTexts) -> list[Line]:
    return [Line([
        line.case.id, line.case.opened_at, texts.case_title(line.case.title, line.case.rule),
        line.case.customer,
        texts.case_rule(line.case.rule), line.case.priority,
        texts.statuses.get(line.case.status, line.case.status), line.case.owner,
        line.case.team, line.first_response_due_at, line.resolution_due_at,
        texts.yes if line.breached else texts.no, ", ".join(line.root_causes) or None,
    ]) for line in lines]


def cases_csv(lines: Iterable[CaseExportLine], texts: CaseFileTexts) -> bytes:
    return table_csv(texts.header, case_lines(lines, texts))


def cases_xlsx(lines: Iterable[CaseExportLine], texts: CaseFileTexts) -> bytes:
    return table_xlsx(texts.header, case_lines(lines, texts), sheet_title=texts.sheet,
                      widths=XLSX_WIDTHS)
