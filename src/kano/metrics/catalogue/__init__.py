"""The built-in metric catalogue across the CX, TX, OX, EX and financial layers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kano.domain.shared.errors import InvalidInput, NotFound
from kano.metrics.catalogue import cx, ex, financial, ox, tx
from kano.metrics.definitions import Metric

BUILT_IN: tuple[Metric, ...] = (
    *cx.METRICS,
    *tx.METRICS,
    *financial.METRICS,
    *ox.METRICS,
    *ex.METRICS,
)


class Catalogue:
    """Built-in metrics plus any custom ones; ids are unique across both."""

    def __init__(self, custom: Iterable[Metric] = ()) -> None:
        self._metrics: dict[str, Metric] = {}
        for metric in (*BUILT_IN, *custom):
            if metric.id in self._metrics:
                raise InvalidInput("id", f"metric {metric.id!r} is defined twice")
            self._metrics[metric.id] = metric

    def __iter__(self) -> Iterator[Metric]:
        return iter(self._metrics.values())

    def __len__(self) -> int:
        return len(self._metrics)

    def __contains__(self, metric_id: object) -> bool:
        return metric_id in self._metrics

    def get(self, metric_id: str) -> Metric:
        try:
            return self._metrics[metric_id]
        except KeyError:
            raise NotFound("metric", metric_id) from None

    def ids(self) -> list[str]:
        return list(self._metrics)


def built_in_catalogue() -> Catalogue:
    return Catalogue()
