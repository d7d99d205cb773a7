"""The pilot page in Hungarian writes a percentage one way. The UX walk found its plan
saying "54% / 32%" (the figures, CLDR's Hungarian pattern) and then "5 %-on, 80 %-os erő"
and "95 %-os konfidenciaintervallum" with a space: now "5%-on", "80%-os", "95%-os", as the
figures are written."""

from __future__ import annotations

from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.i18n import load_translations

PILOT_TEXTS = (
    "95 %% confidence interval",
    "Two-sided test at 5 %%, power 80 %%, difference in differences of customer means.",
)


def test_the_hungarian_pilot_texts_attach_the_percent_sign_as_the_figures_do() -> None:
    assert NumberFormats("hu").percent(0.54) == "54%"
    hungarian = load_translations("hu")
    for text in PILOT_TEXTS:
        shown = hungarian.gettext(text) % ()
        assert shown != text % (), text  # translated
        assert " %" not in shown, shown
    assert hungarian.gettext(PILOT_TEXTS[0]) % () == "95%-os konfidenciaintervallum"
