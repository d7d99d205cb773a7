"""Settings → Members in Russian and Hungarian names its columns for people and their
access role. The UX walk found the Russian table headed "Название" (the name of a thing)
over people's names and "Должность" (job title) over the role picker whose own label says
"Роль: …", the add form's label "Должность" too; Hungarian said "Munkakör" (job)."""

from __future__ import annotations

import re

import pytest

from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies


@pytest.mark.parametrize(("lang", "member", "role", "job"), [
    ("en", "Member", "Workspace role", None),
    ("ru", "Участник", "Роль", "Должность"),
    ("hu", "Tag", "Szerepkör", "Munkakör"),
])  # fmt: skip
def test_the_member_table_names_people_and_their_access_role(
    browser: Browser, companies: SeededCompanies, lang: str, member: str, role: str,
    job: str | None,
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    html = browser.page("/settings", params={"lang": lang}).text
    table = html.split('id="member-list"')[1].split("</thead>")[0]
    headers = [re.sub(r"<[^>]+>", "", h).strip()
               for h in re.findall(r'<th scope="col">(.*?)</th>', table, re.S)]  # fmt: skip
    assert headers[0] == member and headers[2] == role, headers
    label = re.search(r'<label for="member-new-role">([^<]*)</label>', html)
    assert label is not None and label.group(1) == role
    if job is not None:
        assert job not in headers and job not in label.group(1)
    assert "Bob" in text_of(html, "member-list")
