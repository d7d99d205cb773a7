"""One word for a pilot's baseline in Hungarian. The UX walk of the demo pilot found the
plan table saying "Alapidőszak" (baseline period) in its heading and then
"Ügyfelek adattal a bázisidőszakban" and "…mint a bázishónapokban": two words for the
same months on one page. The pilot's baseline is "alapidőszak" throughout."""

from __future__ import annotations

from kano.adapters.web.i18n import read_catalogue


def test_the_hungarian_pilot_texts_call_the_baseline_alapidoszak() -> None:
    catalogue = read_catalogue("hu")
    baseline = {str(m.id): str(m.string) for m in catalogue
                if isinstance(m.id, str) and "baseline" in m.id.lower() and m.string}  # fmt: skip
    assert baseline["Baseline period"] == "Alapidőszak"
    other_words = {key: text for key, text in baseline.items() if "bázis" in text.lower()}
    assert other_words == {}
    assert "alapidőszakban" in baseline["Customers with baseline data (pilot / control)"]
