"""The metric engine's warehouse errors, in a module of their own: the web and API layers
catch them (or name them in types) when the app is built, and they must not import Ibis
and pyarrow through :mod:`kano.metrics.star` to do so."""

from __future__ import annotations

from kano.domain.shared.errors import KanoError


class WarehouseNotLoaded(KanoError):
    def __init__(self, table: str) -> None:
        super().__init__(
            f"the warehouse has no table {table!r}: load it with `kano warehouse load`"
        )
