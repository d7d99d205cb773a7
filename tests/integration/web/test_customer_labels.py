"""The customer 360 page names what it lists as the reader knows it (QA session 14 found
keys there): a requirement's kind and status in the reader's language, the touchpoint of
a response under the workspace's name for it; never the stored keys."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    Customer,
    FeedbackResponse,
    JourneyStage,
    SpecialRequirementRow,
    Touchpoint,
)
from kano.domain.feedback.requirements import RequirementKind, RequirementStatus
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

KIND_AND_STATUS = {  # Product purpose, In effect; Packaging, Proposed
    "en": ("Product purpose", "In effect", "Packaging", "Proposed"),
    "ru": ("Назначение продукта", "Действует", "Упаковка", "Предложено"),
    "hu": ("A termék rendeltetése", "Hatályos", "Csomagolás", "Javasolt"),
}
KEYS = ("product_purpose", "in_effect", "packaging", "proposed")


@pytest.fixture
def customer_id(sessions: sessionmaker[Session], companies: SeededCompanies) -> int:
    """Acme's customer C0 with two requirements and a response at a named touchpoint."""
    with transaction(sessions) as session:
        customer = session.scalars(select(Customer).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "C0")).one()
        stage = JourneyStage(workspace_id=companies.acme_id, key="onboarding",
                             name="Onboarding", position=1)
        session.add(stage)
        session.flush()
        point = Touchpoint(workspace_id=companies.acme_id, key="onboarding-email",
                           name="Fiók beállítása", stage_id=stage.id, channel="email")
        session.add(point)
        session.flush()
        session.add(FeedbackResponse(workspace_id=companies.acme_id, customer_id=customer.id,
                                     touchpoint_id=point.id, channel="email", csat=4,
                                     submitted_at=datetime(2025, 6, 20)))
        session.add_all([
            SpecialRequirementRow(workspace_id=companies.acme_id, customer_id=customer.id,
                                  kind=RequirementKind.PRODUCT_PURPOSE.value,
                                  status=RequirementStatus.IN_EFFECT.value,
                                  text="Food-grade lubricant only", review_on=date(2030, 1, 1)),
            SpecialRequirementRow(workspace_id=companies.acme_id, customer_id=customer.id,
                                  kind=RequirementKind.PACKAGING.value,
                                  status=RequirementStatus.PROPOSED.value,
                                  text="Pallets of at most 800 kg"),
        ])
        return customer.id


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_requirements_and_touchpoints_are_named_not_keyed(
    browser: Browser, companies: SeededCompanies, customer_id: int, language: str
) -> None:
    browser.log_in(companies.alice, PASSWORD)

    page = browser.page(f"/customers/{customer_id}?lang={language}")

    assert page.status_code == 200
    requirements = text_of(page.text, "customer-requirements")
    purpose, in_effect, packaging, proposed = KIND_AND_STATUS[language]
    assert f"Food-grade lubricant only {purpose} {in_effect}" in requirements
    assert f"Pallets of at most 800 kg {packaging} {proposed}" in requirements
    assert not any(key in requirements for key in KEYS)
    feedback = text_of(page.text, "customer-feedback")
    assert "Fiók beállítása" in feedback and "onboarding-email" not in feedback
