"""The survey builder's quota form names the channels of the workspace's touchpoints as every
other page does (a walk of the demo in Russian found "Сайт" on the customer 360 but the keys
"courier", "field", "phone", "store", "web" at the end of the quota's channel list)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import JourneyStage, Touchpoint
from tests.integration.web.browsing import Browser
from tests.integration.web.seed import PASSWORD, SeededCompanies
from tests.integration.web.test_survey_quotas import SURVEY, survey

__all__ = ["survey"]


def _channel_options(html: str) -> dict[str, str]:
    select = re.search(r'<select id="quota-channel".*?</select>', html, re.S)
    assert select, "no quota channel list on the page"
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0)))


@pytest.mark.parametrize(("language", "names"), [
    ("en", {"web": "Website", "store": "Store", "courier": "Courier"}),
    ("ru", {"web": "Сайт", "store": "Магазин"}),
    ("hu", {"web": "Weboldal", "store": "Üzlet"}),
])  # fmt: skip
def test_the_quota_form_names_touchpoint_channels_in_the_readers_language(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    survey: str, language: str, names: dict[str, str],
) -> None:
    with transaction(sessions) as session:
        stage = JourneyStage(workspace_id=companies.acme_id, key="buy", name="Buy", position=1)
        session.add(stage)
        session.flush()
        session.add_all(Touchpoint(workspace_id=companies.acme_id, key=f"tp-{channel}",
                                   name=f"Touchpoint {channel}", stage_id=stage.id,
                                   channel=channel)
                        for channel in ("web", "store", "courier", "kiosk-7"))
    browser.log_in(companies.alice, PASSWORD)

    options = _channel_options(browser.page(f"/surveys/{SURVEY}?lang={language}").text)

    for channel, name in names.items():
        assert options[channel] == name, options
    assert options["kiosk-7"] == "kiosk-7"  # a channel Kano has no name for keeps its key
