"""What the metric explorer calls the keys of its slices: a segment, team, journey stage,
touchpoint, survey, product or customer under the name the workspace gave it; a channel,
region, industry, team function, process, process measure, customer type or consent in the
reader's language (``north`` → "Észak"); a language by its CLDR name ("Orosz"). A key
nobody named is shown as itself.

The names are looked up once per request, one mapping per slice the view uses (a product's
or a customer's names only for the keys among the rows), never row by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import Customer
from kano.adapters.db.product_catalogue import product_names
from kano.adapters.db.views.responses import surveys_of
from kano.adapters.web.attribute_labels import (
    CUSTOMER_KIND_LABELS,
    INDUSTRY_LABELS,
    PROCESS_LABELS,
    REGION_LABELS,
    TEAM_FUNCTION_LABELS,
    language_names,
)
from kano.adapters.web.i18n import LANGUAGES
from kano.adapters.web.labels import (
    CHANNEL_LABELS,
    STAGE_NAMES,
    TEAM_NAMES,
    TOUCHPOINT_NAMES,
    journey_names,
    segment_names,
    team_names,
)
from kano.adapters.web.measure_labels import VARIABLE_LABELS
from kano.adapters.web.metric_explorer import SliceNames, Translate
from kano.metrics import MetricRow

_VOCABULARIES: dict[str, dict[str, str]] = {
    "channel": CHANNEL_LABELS,
    "region": REGION_LABELS,
    "industry": INDUSTRY_LABELS,
    "team_function": TEAM_FUNCTION_LABELS,
    "process": PROCESS_LABELS,
    "measure": VARIABLE_LABELS,
    "kind": CUSTOMER_KIND_LABELS,
}
# A boolean slice's key as the page writes it (``str(True)``).
_CONSENT = {"True": "yes", "False": "no"}
MAX_CHOICES = 300
NAMED_SLICES = frozenset(
    {
        "segment",
        "stage",
        "touchpoint",
        "team",
        "product",
        "survey",
        "customer",
        "language",
        "consent_contact",
        *_VOCABULARIES,
    }
)


def slice_names(
    db: Session,
    workspace_id: int,
    slices: Sequence[str],
    rows: Sequence[MetricRow],
    _: Translate,
    *,
    language: str,
    all_products: bool = False,
) -> SliceNames:
    """Key → name for each of ``slices`` that has names (others are absent), in the page's
    ``language``; the products of ``rows``, or every product of the catalogue
    (``all_products``, for the filters); the customers of ``rows`` only (a filter's list
    of every customer would be too long to choose from)."""
    names: dict[str, dict[str, str]] = {}
    wanted = set(slices) & NAMED_SLICES
    for name in wanted & set(_VOCABULARIES):
        names[name] = {key: _(label) for key, label in _VOCABULARIES[name].items()}
    if "consent_contact" in wanted:
        names["consent_contact"] = {key: _(word) for key, word in _CONSENT.items()}
    if "language" in wanted:
        languages = set(LANGUAGES) | set(_keys(rows, "language"))
        names["language"] = language_names(sorted(languages), language)
    if "survey" in wanted:
        names["survey"] = {choice.key: choice.name for choice in surveys_of(db, workspace_id)}
    if "customer" in wanted:
        names["customer"] = _customer_names(db, workspace_id, _keys(rows, "customer"))
    if "segment" in wanted:
        names["segment"] = segment_names(db, workspace_id)
    if wanted & {"stage", "touchpoint"}:
        journey = journey_names(db, workspace_id)
        names["stage"], names["touchpoint"] = journey[STAGE_NAMES], journey[TOUCHPOINT_NAMES]
    if "team" in wanted:
        names["team"] = team_names(db, workspace_id)[TEAM_NAMES]
    if "product" in wanted:
        products = None if all_products else _keys(rows, "product")
        names["product"] = product_names(db, workspace_id, products)
    return {name: names[name] for name in slices if name in names}


def _keys(rows: Sequence[MetricRow], slice_name: str) -> list[str]:
    """The distinct text keys of one slice among ``rows``."""
    keys = {row.key(slice_name) for row in rows if slice_name in dict(row.keys)}
    return sorted(key for key in keys if isinstance(key, str))


def _customer_names(db: Session, workspace_id: int, external_ids: Sequence[str]) -> dict[str, str]:
    """The workspace's names of the customers with these external ids, in one query."""
    if not external_ids:
        return {}
    found = db.execute(
        select(Customer.external_id, Customer.name).where(
            Customer.workspace_id == workspace_id, Customer.external_id.in_(external_ids)
        )
    )
    return {str(external_id): name for external_id, name in found if external_id and name}


def filter_choices(names: SliceNames, slices: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """The values a filter on each of ``slices`` can offer, (key, name) by name, at most
    ``MAX_CHOICES`` each."""
    return {
        name: sorted(names[name].items(), key=lambda item: (item[1].casefold(), item[0]))[
            :MAX_CHOICES
        ]
        for name in slices
        if names.get(name)
    }


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
