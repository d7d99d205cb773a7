"""The levels of each axis of the client matrix, without numpy: the /value page checks a
cell named in its URL against them when the app is built (bench/RESULTS.md, "Start-up,
session 12"); :mod:`kano.analytics.value.client_matrix` computes with them."""

from __future__ import annotations

LEVELS = ("low", "medium", "high")
