"""What the metric explorer calls the keys of its slices: a segment, team, journey stage,
touchpoint or product under the name the workspace gave it, a channel, region or industry
in the reader's language (``north`` → "Észak"). A key nobody named is shown as itself.

The names are looked up once per request, one mapping per slice the view uses (a product's
names only for the codes among the rows), never row by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from kano.adapters.db.product_catalogue import product_names
from kano.adapters.web.attribute_labels import INDUSTRY_LABELS, REGION_LABELS
from kano.adapters.web.labels import (
    CHANNEL_LABELS,
    STAGE_NAMES,
    TEAM_NAMES,
    TOUCHPOINT_NAMES,
    journey_names,
    segment_names,
    team_names,
)
from kano.adapters.web.metric_explorer import SliceNames, Translate
from kano.metrics import MetricRow

_VOCABULARIES: dict[str, dict[str, str]] = {
    "channel": CHANNEL_LABELS,
    "region": REGION_LABELS,
    "industry": INDUSTRY_LABELS,
}
MAX_CHOICES = 300
NAMED_SLICES = frozenset({"segment", "stage", "touchpoint", "team", "product",
                          *_VOCABULARIES})


def slice_names(
    db: Session, workspace_id: int, slices: Sequence[str], rows: Sequence[MetricRow],
    _: Translate, *, all_products: bool = False,
) -> SliceNames:
    """Key → name for each of ``slices`` that has names (others are absent); the products
    of ``rows``, or every product of the catalogue (``all_products``, for the filters)."""
    names: dict[str, dict[str, str]] = {}
    wanted = set(slices) & NAMED_SLICES
    for name in wanted & set(_VOCABULARIES):
        names[name] = {key: _(label) for key, label in _VOCABULARIES[name].items()}
    if "segment" in wanted:
        names["segment"] = segment_names(db, workspace_id)
    if wanted & {"stage", "touchpoint"}:
        journey = journey_names(db, workspace_id)
        names["stage"], names["touchpoint"] = journey[STAGE_NAMES], journey[TOUCHPOINT_NAMES]
    if "team" in wanted:
        names["team"] = team_names(db, workspace_id)[TEAM_NAMES]
    if "product" in wanted:
        codes = {row.key("product") for row in rows if "product" in dict(row.keys)}
        names["product"] = product_names(
            db, workspace_id,
            None if all_products else [code for code in codes if isinstance(code, str)])
    return {name: names[name] for name in slices if name in names}


def filter_choices(names: SliceNames, slices: Sequence[str]
                   ) -> dict[str, list[tuple[str, str]]]:
    """The values a filter on each of ``slices`` can offer, (key, name) by name, at most
    ``MAX_CHOICES`` each."""
    return {name: sorted(names[name].items(), key=lambda item: (item[1].casefold(), item[0])
                         )[:MAX_CHOICES]
            for name in slices if names.get(name)}


def named(names: SliceNames, slice_name: str, value: object) -> str | None:
    """The name of one key, None when the slice has no names or the key none."""
    if value is None:
        return None
    return names.get(slice_name, {}).get(str(value))


def with_names(
    columns: Sequence[str], records: Sequence[Mapping[str, object]], names: SliceNames
) -> tuple[list[str], list[dict[str, object]]]:
    """A download's columns with a ``<slice>_name`` column beside each named slice's key
    column, and the records with those names (the key where it has none, as on the page;
    empty for no key)."""
    out_columns: list[str] = []
    for column in columns:
        out_columns.append(column)
        if column in names:
            out_columns.append(name_column(column))
    out_records = []
    for record in records:
        row = dict(record)
        for slice_name in names:
            key = record.get(slice_name)
            row[name_column(slice_name)] = named(names, slice_name, key) or key
        out_records.append(row)
    return out_columns, out_records


def name_column(slice_name: str) -> str:
    return f"{slice_name}_name"
