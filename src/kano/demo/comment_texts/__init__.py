"""Comment texts per language (data only; :mod:`kano.demo.comments` builds the vocabulary)."""

from __future__ import annotations

from kano.demo.comment_texts import en, hu, ru

CLOSERS = {"en": en.CLOSERS, "ru": ru.CLOSERS, "hu": hu.CLOSERS}
BODIES = {"en": en.BODIES, "ru": ru.BODIES, "hu": hu.BODIES}
