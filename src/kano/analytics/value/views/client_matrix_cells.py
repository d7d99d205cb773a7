"""The 3×3 client matrix as a whole answer: each account's cell and its strategy, and the
accounts' moves between cells since an earlier day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kano.analytics.value import report
from kano.analytics.value.client_matrix import LEVELS, STRATEGIES, cell_movements
from kano.analytics.value.inputs import ValueReader, customer_features
from kano.analytics.value.views.running import Record, checked, scoring_day
from kano.domain.shared.errors import InvalidInput


@dataclass(frozen=True)
class MatrixView:
    as_of: datetime
    accounts: list[Record]
    cells: list[Record]  # attractiveness_level, relationship_level, accounts, strategy
    movements: list[Record] = field(default_factory=list)
    movements_from: datetime | None = None


def matrix_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    as_of: date | None = None,
    all_customers: bool = False,
    movements_from: date | None = None,
) -> MatrixView:
    """Each account's cell (attractiveness × relationship) with the cell's strategy, and with
    ``movements_from`` the accounts' moves between cells since that day."""
    reader = ValueReader(backend, workspace_id, segment)
    day = scoring_day(reader, as_of)

    def placed(when: datetime) -> tuple[list[Record], Any]:
        frame = customer_features(reader, as_of=when)
        if not all_customers:
            frame = frame[frame["kind"] == "account"]
        return checked("as_of", lambda: report.matrix_records(frame))

    accounts, matrix = placed(day)
    counts = matrix.cell_counts()
    cells = [{"attractiveness_level": a, "relationship_level": r, "accounts": counts[(a, r)],
              "strategy": STRATEGIES[(a, r)]} for a in LEVELS for r in LEVELS]  # fmt: skip
    moves: list[Record] = []
    earlier = None
    if movements_from is not None:
        earlier = scoring_day(reader, movements_from)
        if earlier >= day:
            raise InvalidInput("movements_from", "must be before the scoring day")
        before = _cells(placed(earlier)[0])
        moved = cell_movements(before, _cells(accounts))
        moves = [{"from_attractiveness": a[0], "from_relationship": a[1],
                  "to_attractiveness": b[0], "to_relationship": b[1], "accounts": n}
                 for (a, b), n in sorted(moved.items())]  # fmt: skip
    return MatrixView(day, accounts, cells, moves, earlier)


def _cells(rows: list[Record]) -> dict[object, tuple[str, str]]:
    return {r["customer_id"]: (r["attractiveness_level"], r["relationship_level"]) for r in rows}
